import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../../../../../test/support/emulator";
import { authorize, createPkcePair, obtainCode, pickUser, requestIdOf } from "../../../../../test/support/oauth";

const seed = `
foundry:
  users:
    - username: alice
      display_name: Alice
    - username: mallory
      display_name: "<script>alert('x')</script>"
    - username: dormant
      active: false
  oauth_clients:
    - client_id: web
      client_secret: web-secret
      redirect_uris: [http://localhost:3000/callback, http://localhost:3000/other?keep=1]
      allowed_scopes: [api:admin-read, offline_access]
    - client_id: spa
      redirect_uris: [http://localhost:5173/callback]
`;

describe("GET /multipass/api/oauth2/authorize", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed });
  });
  afterAll(() => emulator.stop());

  const pkce = createPkcePair();
  const valid = { client_id: "spa", response_type: "code", state: "s", code_challenge: pkce.challenge, code_challenge_method: "S256" };

  it("renders the picker of active users, escaping their names", async () => {
    const response = await authorize(emulator.baseUrl, valid);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain('data-username="alice"');
    expect(html).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain('data-username="dormant"');
  });

  it("shows an error page, never a redirect, for an unknown client", async () => {
    const response = await authorize(emulator.baseUrl, { ...valid, client_id: "nobody", redirect_uri: "http://evil.test/" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("invalid_client");
  });

  it.each([
    ["a trailing slash", "http://localhost:5173/callback/"],
    ["another port", "http://localhost:5174/callback"],
    ["another host", "http://evil.test/callback"],
    ["an added query", "http://localhost:5173/callback?x=1"],
    ["a different case", "http://LOCALHOST:5173/callback"],
  ])("shows an error page for a redirect_uri with %s (exact match only)", async (_label, redirectUri) => {
    const response = await authorize(emulator.baseUrl, { ...valid, redirect_uri: redirectUri });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it("uses the first registered redirect URI when none is sent", async () => {
    const { location } = await obtainCode(emulator.baseUrl, { clientId: "spa" });
    expect(`${location.origin}${location.pathname}`).toBe("http://localhost:5173/callback");
  });

  it("keeps a registered redirect URI's own query and returns the exact state", async () => {
    const state = "a b+c/=&é";
    const { location } = await obtainCode(emulator.baseUrl, { clientId: "web", redirectUri: "http://localhost:3000/other?keep=1", state });
    expect(location.searchParams.get("keep")).toBe("1");
    expect(location.searchParams.get("state")).toBe(state);
    expect(location.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.has("iss")).toBe(false);
  });

  async function expectRedirectError(parameters: Record<string, string>, error: string) {
    const response = await authorize(emulator.baseUrl, parameters);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(parameters.client_id === "web" ? "http://localhost:3000/callback" : "http://localhost:5173/callback");
    expect(location.searchParams.get("error")).toBe(error);
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe(parameters.state ?? null);
  }

  it("redirects other errors back with error, error_description and state (RFC 6749 §4.1.2.1)", async () => {
    await expectRedirectError({ ...valid, response_type: "token" }, "unsupported_response_type");
    const { response_type: _omitted, ...withoutResponseType } = valid;
    await expectRedirectError(withoutResponseType, "invalid_request");
    await expectRedirectError({ client_id: "spa", response_type: "code", state: "s" }, "invalid_request"); // public client without PKCE
    await expectRedirectError({ ...valid, code_challenge_method: "plain" }, "invalid_request");
    await expectRedirectError({ ...valid, code_challenge: "too-short" }, "invalid_request");
    await expectRedirectError({ client_id: "web", response_type: "code", state: "s", scope: "api:admin-read api:admin-write" }, "invalid_scope");
  });

  it("decodes + in scope as a space", async () => {
    const response = await fetch(`${emulator.baseUrl}/multipass/api/oauth2/authorize?client_id=web&response_type=code&state=s&scope=api%3Aadmin-read+offline_access`, {
      redirect: "manual",
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<code>api:admin-read</code>");
    expect(html).toContain("<code>offline_access</code>");
  });

  it("lets a confidential client skip PKCE", async () => {
    const { code } = await obtainCode(emulator.baseUrl, { clientId: "web", pkce: false });
    expect(code).toBeTruthy();
  });
});

describe("POST /multipass/api/oauth2/authorize/callback", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed });
  });
  afterAll(() => emulator.stop());

  async function pendingRequest(state = "st") {
    const pkce = createPkcePair();
    const page = await authorize(emulator.baseUrl, { client_id: "spa", response_type: "code", state, code_challenge: pkce.challenge, code_challenge_method: "S256" });
    return requestIdOf(await page.text());
  }

  it("answers each request once", async () => {
    const requestId = await pendingRequest();
    const first = await pickUser(emulator.baseUrl, requestId, "alice");
    expect(first.status).toBe(303);
    const second = await pickUser(emulator.baseUrl, requestId, "alice");
    expect(second.status).toBe(400);
    expect(second.headers.get("location")).toBeNull();
  });

  it("refuses an unknown request id and an inactive or unknown user", async () => {
    expect((await pickUser(emulator.baseUrl, "not-a-request", "alice")).status).toBe(400);
    const requestId = await pendingRequest();
    expect((await pickUser(emulator.baseUrl, requestId, "dormant")).status).toBe(400);
    expect((await pickUser(emulator.baseUrl, requestId, "nobody")).status).toBe(400);
    // The request survives a wrong pick: the right user can still answer it.
    expect((await pickUser(emulator.baseUrl, requestId, "alice")).status).toBe(303);
  });

  it("takes no redirect target from the form: only the stored request decides", async () => {
    const requestId = await pendingRequest();
    const response = await pickUser(emulator.baseUrl, requestId, "alice", { redirect_uri: "http://evil.test/steal" });
    expect(new URL(response.headers.get("location")!).origin).toBe("http://localhost:5173");
  });

  it("redirects access_denied with the state when the user denies", async () => {
    const requestId = await pendingRequest("deny-state");
    const response = await pickUser(emulator.baseUrl, requestId, "", { decision: "deny" });
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("deny-state");
    expect(location.searchParams.has("code")).toBe(false);
  });
});

describe("open mode (no client seeded)", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: "foundry:\n  users:\n    - username: alice\n" });
  });
  afterAll(() => emulator.stop());

  it("accepts any client id with an absolute http(s) redirect URI", async () => {
    const { location, code } = await obtainCode(emulator.baseUrl, { clientId: "anything", redirectUri: "http://localhost:9999/cb" });
    expect(location.origin).toBe("http://localhost:9999");
    expect(code).toBeTruthy();
  });

  it.each(["javascript:alert(1)", "/relative", "ftp://host/x", "http://host/cb#fragment"])("refuses %s without redirecting", async (redirectUri) => {
    const response = await authorize(emulator.baseUrl, { client_id: "anything", response_type: "code", redirect_uri: redirectUri });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });
});
