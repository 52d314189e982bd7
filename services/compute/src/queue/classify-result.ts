/** Error results larger than this are not parsed: the SDKs' error objects are small. */
const largestErrorResult = 1024 * 1024;

export type ResultOutcome = { failed: false } | { failed: true; message: string };

function isStringOrAbsent(value: unknown) {
  return value === undefined || typeof value === "string";
}

/**
 * Compute modules have no error channel: a failure is an ordinary result. The SDKs post
 * `{"error": <name>, "reason": <message>}` or `{"error": <message>}` (TypeScript, and Python's
 * fallbacks) and `{"exception": "<message>: <traceback>"}` (Python). A result that is exactly one
 * of those objects — no other keys, string values — marks the job `failed`; anything else is a
 * success. The bytes are kept either way, unchanged.
 */
export function classifyResult(bytes: Uint8Array): ResultOutcome {
  if (bytes.length === 0 || bytes.length > largestErrorResult) return { failed: false };
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x20 || bytes[start] === 0x0a || bytes[start] === 0x0d || bytes[start] === 0x09)) start += 1;
  if (bytes[start] !== 0x7b /* { */) return { failed: false };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return { failed: false };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { failed: false };
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && typeof record.exception === "string") return { failed: true, message: record.exception };
  if (typeof record.error === "string" && keys.every((key) => key === "error" || key === "reason") && isStringOrAbsent(record.reason)) {
    return { failed: true, message: record.reason ? `${record.error}: ${record.reason}` : record.error };
  }
  return { failed: false };
}
