import { createHash, randomBytes } from "node:crypto";

/** The token endpoint's answer (RFC 6749 §5.1), as the emulator sends it. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  [field: string]: unknown;
}

export interface LoginOptions {
  /** An OAuth client of the seed allowed the authorization_code grant (default `confidential-app`). */
  clientId?: string;
  /** For a confidential client (default: `confidential-app-secret` when clientId is `confidential-app`). */
  clientSecret?: string;
  /** One of the client's registered redirect URIs (default: its first, chosen by the emulator). */
  redirectUri?: string;
  scopes?: string[];
}

export class FoundryEmulatorRequestError extends Error {
  override name = "FoundryEmulatorRequestError";
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${message}: HTTP ${status} ${body.slice(0, 500)}`);
  }
}

const base64Url = (bytes: Buffer) => bytes.toString("base64url");

/** RFC 7636: a random verifier and its S256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = base64Url(randomBytes(32));
  return { verifier, challenge: base64Url(createHash("sha256").update(verifier).digest()) };
}

function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The sign-in picker's form: where it posts, and its hidden fields. */
export function parseSignInForm(html: string, pageUrl: string): { action: string; fields: Record<string, string>; usernames: string[] } {
  const form = html.match(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) throw new Error("the authorize page has no sign-in form");
  const action = new URL(decodeHtml(form[1]!), pageUrl).toString();
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b[^>]*>/gi)) {
    const tag = input[0];
    if (!/\btype="hidden"/i.test(tag)) continue;
    const name = tag.match(/\bname="([^"]*)"/i)?.[1];
    const value = tag.match(/\bvalue="([^"]*)"/i)?.[1] ?? "";
    if (name) fields[decodeHtml(name)] = decodeHtml(value);
  }
  const usernames = [...form[2]!.matchAll(/<button\b[^>]*\bname="username"[^>]*\bvalue="([^"]*)"/gi)].map((match) => decodeHtml(match[1]!));
  return { action, fields, usernames };
}

function codeFrom(location: string, expectedState: string): string {
  const redirect = new URL(location);
  const error = redirect.searchParams.get("error");
  if (error) throw new Error(`the authorization was refused: ${error} ${redirect.searchParams.get("error_description") ?? ""}`.trim());
  if (redirect.searchParams.get("state") !== expectedState) throw new Error("the authorization redirect carries another state");
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error(`the authorization redirect has no code: ${location}`);
  return code;
}

/**
 * Signs `username` in through the emulator's authorize page without a browser — the authorization
 * code flow with PKCE, driven with fetch exactly as a browser would: GET the authorize URL, submit
 * the picker's form as that user, read the code from the redirect (which is not followed: the
 * redirect URI need not exist), and redeem it at the token endpoint.
 */
export async function loginWithAuthorizationCode(baseUrl: string, username: string, options: LoginOptions = {}): Promise<TokenResponse> {
  const clientId = options.clientId ?? "confidential-app";
  const clientSecret = options.clientSecret ?? (clientId === "confidential-app" ? "confidential-app-secret" : undefined);
  const { verifier, challenge } = createPkcePair();
  const state = base64Url(randomBytes(16));

  const authorizeUrl = new URL("/multipass/api/oauth2/authorize", baseUrl);
  authorizeUrl.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
    ...(options.scopes?.length ? { scope: options.scopes.join(" ") } : {}),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();

  const page = await fetch(authorizeUrl, { redirect: "manual" });
  let location = page.headers.get("location");
  if (!location) {
    const html = await page.text();
    if (page.status !== 200) throw new FoundryEmulatorRequestError("authorize", page.status, html);
    const form = parseSignInForm(html, authorizeUrl.toString());
    if (!form.usernames.includes(username)) {
      throw new Error(`"${username}" is not offered on the sign-in page (offered: ${form.usernames.join(", ") || "none"})`);
    }
    const answer = await fetch(form.action, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form.fields, username }),
    });
    location = answer.headers.get("location");
    if (!location) throw new FoundryEmulatorRequestError("sign-in", answer.status, await answer.text());
  }
  const code = codeFrom(new URL(location, baseUrl).toString(), state);

  // redirect_uri goes to the token endpoint exactly when it went to the authorize endpoint (RFC 6749 §4.1.3).
  const tokenRequest = new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, client_id: clientId });
  if (options.redirectUri) tokenRequest.set("redirect_uri", options.redirectUri);
  if (clientSecret) tokenRequest.set("client_secret", clientSecret);
  return requestToken(baseUrl, tokenRequest);
}

/** POST /multipass/api/oauth2/token with a form; the parsed answer, or an error naming the emulator's reason. */
export async function requestToken(baseUrl: string, form: URLSearchParams): Promise<TokenResponse> {
  const response = await fetch(new URL("/multipass/api/oauth2/token", baseUrl), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: form,
  });
  const text = await response.text();
  if (!response.ok) throw new FoundryEmulatorRequestError(`token (${form.get("grant_type")})`, response.status, text);
  return JSON.parse(text) as TokenResponse;
}
