import { createHash, randomBytes } from "node:crypto";

export const basicAuthorization = (clientId: string, secret: string) => {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
};

export function createPkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

/** POSTs a form to the token (or revoke) endpoint. */
export async function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8", ...headers },
    body: new URLSearchParams(fields),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON; the text is kept
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** GET /authorize without following redirects. */
export function authorize(baseUrl: string, parameters: Record<string, string>) {
  return fetch(`${baseUrl}/multipass/api/oauth2/authorize?${new URLSearchParams(parameters)}`, { redirect: "manual" });
}

/** Reads the picker's request id from its HTML. */
export function requestIdOf(html: string): string {
  const match = html.match(/name="request_id" value="([^"]+)"/);
  if (!match) throw new Error(`no request_id in picker page: ${html.slice(0, 500)}`);
  return match[1]!;
}

/** Answers the picker as `username`; returns the redirect Location. */
export async function pickUser(baseUrl: string, requestId: string, username: string, extra: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/multipass/api/oauth2/authorize/callback`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId, username, ...extra }),
    redirect: "manual",
  });
  return response;
}

export interface LoginOptions {
  clientId: string;
  redirectUri?: string;
  scope?: string;
  username?: string;
  state?: string;
  pkce?: boolean;
}

/** Authorize → pick a user → the code (and the PKCE verifier used). */
export async function obtainCode(baseUrl: string, options: LoginOptions) {
  const pkce = createPkcePair();
  const parameters: Record<string, string> = { client_id: options.clientId, response_type: "code", state: options.state ?? "state-123" };
  if (options.redirectUri) parameters.redirect_uri = options.redirectUri;
  if (options.scope) parameters.scope = options.scope;
  if (options.pkce !== false) Object.assign(parameters, { code_challenge: pkce.challenge, code_challenge_method: "S256" });
  const page = await authorize(baseUrl, parameters);
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${page.headers.get("location") ?? (await page.text())}`);
  const answer = await pickUser(baseUrl, requestIdOf(await page.text()), options.username ?? "alice");
  const location = new URL(answer.headers.get("location")!);
  return { code: location.searchParams.get("code")!, state: location.searchParams.get("state"), location, verifier: pkce.verifier };
}

export const tokenUrl = (baseUrl: string) => `${baseUrl}/multipass/api/oauth2/token`;
export const revokeUrl = (baseUrl: string) => `${baseUrl}/multipass/api/oauth2/revoke_token`;

export function getCurrent(baseUrl: string, accessToken?: string, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/api/v2/admin/users/getCurrent`, {
    headers: { ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}), ...headers },
  });
}

/** A client_credentials token for the seeded service client. */
export async function serviceToken(baseUrl: string, scope = "api:admin-read") {
  const response = await postForm(tokenUrl(baseUrl), { grant_type: "client_credentials", scope }, { Authorization: basicAuthorization("service-app", "service-app-secret") });
  if (response.status !== 200) throw new Error(`client_credentials failed: ${response.text}`);
  return response.json.access_token as string;
}
