import type { OauthClient } from "./oauth-clients";

export function isAbsoluteHttpUri(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && !url.hash && !value.includes("#");
  } catch {
    return false;
  }
}

/**
 * The redirect URI an authorization answers to: the one sent, if it is registered exactly (string
 * equality, no normalisation); else the first registered one. In open mode any absolute http(s)
 * URI is accepted. Undefined means "do not redirect": show an error page.
 */
export function resolveRedirectUri(client: OauthClient, sent: string | undefined): string | undefined {
  if (sent !== undefined) {
    if (client.open) return isAbsoluteHttpUri(sent) ? sent : undefined;
    return client.redirectUris.includes(sent) ? sent : undefined;
  }
  return client.redirectUris[0];
}

/** Appends parameters to a redirect URI, keeping its own query. */
export function withParameters(redirectUri: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
