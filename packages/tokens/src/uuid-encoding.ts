/**
 * Real Foundry JWTs carry ids (sub, sid, jti, org) as standard padded base64 of the 16 UUID
 * bytes, which keeps the token short; these convert both ways.
 */
export function uuidToBase64(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ""), "hex").toString("base64");
}

export function base64ToUuid(value: string): string | undefined {
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== 16) return undefined;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A stable UUID derived from a name (SHA-1 based, like UUIDv5), for ids that must survive re-seeding. */
import { createHash } from "node:crypto";
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = createHash("sha1").update(`${namespace}\u0000${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUIDv7 (RFC 9562): the first 48 bits are the Unix time in ms, the rest random. Token and grant
 * rows are keyed by their ids, so time-ordered ids land at the end of each index instead of on a
 * random page: a burst of issuances then rewrites a handful of pages rather than several per token.
 * Derived from `randomUUID()` (its random bits and variant kept, the time and version set), which
 * costs a tenth of generating the 16 bytes afresh.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const random = crypto.randomUUID();
  const time = now.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
