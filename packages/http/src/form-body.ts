/** True for `application/x-www-form-urlencoded`, with or without parameters such as charset. */
export function isFormContentType(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * Parses a form body strictly: every parameter at most once (RFC 6749 §3.2), `+` as space.
 * Returns the duplicated name on failure.
 */
export function parseFormBody(text: string): { ok: true; values: Map<string, string> } | { ok: false; duplicate: string } {
  const values = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (values.has(name)) return { ok: false, duplicate: name };
    values.set(name, value);
  }
  return { ok: true, values };
}
