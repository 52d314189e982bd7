/** `offline_access` asks for a refresh token; it is never a permission on an API. */
export const offlineAccessScope = "offline_access";

/** Splits a space-separated scope parameter (form decoding already turned `+` into spaces). */
export function parseScopeParameter(value: string | undefined | null): string[] {
  if (!value) return [];
  return [...new Set(value.split(/[ \t]+/).filter(Boolean))];
}

export function formatScopes(scopes: readonly string[]): string {
  return scopes.join(" ");
}

/** Scopes a client may not request: those outside its allowed list (an empty list allows all). */
export function scopesOutsideAllowed(requested: readonly string[], allowed: readonly string[]): string[] {
  if (allowed.length === 0) return [];
  const permitted = new Set([...allowed, offlineAccessScope]);
  return requested.filter((scope) => !permitted.has(scope));
}
