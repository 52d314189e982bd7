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

/**
 * Scopes a client may not request: those outside its allowed list (an empty list allows all).
 * offline_access is left to `withoutUnallowedOfflineAccess`: asking for it is never an error.
 */
export function scopesOutsideAllowed(requested: readonly string[], allowed: readonly string[]): string[] {
  if (allowed.length === 0) return [];
  const permitted = new Set(allowed);
  return requested.filter((scope) => scope !== offlineAccessScope && !permitted.has(scope));
}

/**
 * The requested scopes, less offline_access when the client's allowed list (non-empty) omits it:
 * such a client gets no refresh token. Narrowed rather than refused (RFC 6749 §3.3), as the
 * Python SDKs add offline_access to every request.
 */
export function withoutUnallowedOfflineAccess(requested: readonly string[], allowed: readonly string[]): string[] {
  return allowed.length === 0 || allowed.includes(offlineAccessScope) ? [...requested] : requested.filter((scope) => scope !== offlineAccessScope);
}
