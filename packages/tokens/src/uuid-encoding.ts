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
