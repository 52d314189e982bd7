import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * Secrets, codes and opaque tokens are stored as SHA-256 digests. The emulator's own values are 256
 * random bits, so a fast digest is enough; a slow KDF would only slow every token request.
 */
export function hashSecret(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Compares a presented secret with a stored digest in constant time. */
export function secretMatchesHash(presented: string, storedHash: string): boolean {
  const presentedDigest = createHash("sha256").update(presented, "utf8").digest();
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === presentedDigest.length && timingSafeEqual(presentedDigest, stored);
}

/** Compares two strings in constant time (for their digests, so lengths never leak). */
export function constantTimeEquals(left: string, right: string): boolean {
  return timingSafeEqual(createHash("sha256").update(left).digest(), createHash("sha256").update(right).digest());
}

/** A URL-safe random value: 32 bytes = 43 base64url characters. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export { randomUUID };
