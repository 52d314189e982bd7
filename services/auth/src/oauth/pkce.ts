import { createHash } from "node:crypto";
import { constantTimeEquals } from "@foundry-emulator/tokens";

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
export const codeVerifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is base64url(SHA-256), unpadded: exactly 43 characters. */
export const s256ChallengePattern = /^[A-Za-z0-9\-_]{43}$/;

export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

export function verifierMatchesChallenge(verifier: string, challenge: string): boolean {
  return constantTimeEquals(s256Challenge(verifier), challenge);
}
