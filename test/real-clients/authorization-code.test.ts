// A full authorization-code + PKCE login driven by oauth4webapi v3 (the engine family of
// @osdk/oauth), with the user picker answered the way a browser would: parse the form, post it.
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../support/emulator";

const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface PickerForm {
  action: URL;
  method: string;
  requestId: string;
  usernames: string[];
}

/** Reads the picker page the way a browser submits it: the form's action and method, its hidden request_id, the user buttons. */
function parsePicker(html: string, pageUrl: URL): PickerForm {
  const form = html.match(/<form\b([^>]*)>([\s\S]*?)<\/form>/i);
  if (!form) throw new Error(`no form in the picker page: ${html.slice(0, 300)}`);
  const attribute = (attributes: string, name: string) => attributes.match(new RegExp(`\\b${name}="([^"]*)"`, "i"))?.[1];
  const inputs = [...form[2]!.matchAll(/<input\b([^>]*)>/gi)].map((match) => match[1]!);
  const hidden = inputs.find((input) => attribute(input, "type") === "hidden" && attribute(input, "name") === "request_id");
  const buttons = [...form[2]!.matchAll(/<button\b([^>]*)>/gi)].map((match) => match[1]!);
  return {
    action: new URL(attribute(form[1]!, "action") ?? "", pageUrl),
    method: (attribute(form[1]!, "method") ?? "get").toLowerCase(),
    requestId: (hidden && attribute(hidden, "value")) ?? "",
    usernames: buttons.filter((button) => attribute(button, "name") === "username").map((button) => attribute(button, "value")!),
  };
}

interface Login {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  redirectUri: string;
  scope: string;
}

/** Authorize → picker → POST as `username` → the Location the browser would be sent to. */
async function signIn(login: Login, username: string, pkce: { challenge: string }, state: string): Promise<URL> {
  const authorizationUrl = new URL(login.as.authorization_endpoint!);
  authorizationUrl.search = new URLSearchParams({
    client_id: login.client.client_id,
    response_type: "code",
    state,
    redirect_uri: login.redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    scope: login.scope,
  }).toString();
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  const picker = parsePicker(await page.text(), authorizationUrl);
  expect(picker.method).toBe("post");
  expect(picker.requestId).not.toBe("");
  expect(picker.usernames).toContain(username);

  const answer = await fetch(picker.action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: picker.requestId, username }),
    redirect: "manual",
  });
  expect(answer.status).toBe(303);
  const location = answer.headers.get("location");
  expect(location).toBeTruthy();
  return new URL(location!);
}

async function whoAmI(baseUrl: string, accessToken: string) {
  return oauth.protectedResourceRequest(accessToken, "GET", new URL(`${baseUrl}/api/v2/admin/users/getCurrent`), new Headers({ accept: "application/json" }), null, insecure);
}

async function refreshError(login: Login, refreshToken: string): Promise<oauth.ResponseBodyError> {
  const response = await oauth.refreshTokenGrantRequest(login.as, login.client, login.clientAuth, refreshToken, insecure);
  try {
    await oauth.processRefreshTokenResponse(login.as, login.client, response);
  } catch (error) {
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    return error as oauth.ResponseBodyError;
  }
  throw new Error("expected the refresh to be refused");
}

describe("authorization code + PKCE with oauth4webapi", () => {
  let emulator: TestEmulator;
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    emulator = await startEmulator();
    const issuer = `${emulator.baseUrl}/multipass`;
    as = {
      issuer,
      authorization_endpoint: `${issuer}/api/oauth2/authorize`,
      token_endpoint: `${issuer}/api/oauth2/token`,
      revocation_endpoint: `${issuer}/api/oauth2/revoke_token`,
    };
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const logins = () =>
    ({
      "confidential-app (client_secret_basic)": {
        as,
        client: { client_id: "confidential-app" },
        clientAuth: oauth.ClientSecretBasic("confidential-app-secret"),
        redirectUri: "http://localhost:3000/auth/callback",
        scope: "api:admin-read offline_access",
      },
      "public-app (none)": {
        as,
        client: { client_id: "public-app" },
        clientAuth: oauth.None(),
        redirectUri: "http://localhost:5173/auth/callback",
        scope: "api:admin-read offline_access",
      },
    }) satisfies Record<string, Login>;

  for (const name of ["confidential-app (client_secret_basic)", "public-app (none)"] as const) {
    it(`${name}: signs alice in, refreshes with rotation, and revokes the family on reuse`, async () => {
      const login = logins()[name];
      const verifier = oauth.generateRandomCodeVerifier();
      const pkce = { challenge: await oauth.calculatePKCECodeChallenge(verifier) };
      const state = oauth.generateRandomState();

      const location = await signIn(login, "alice", pkce, state);
      expect(`${location.origin}${location.pathname}`).toBe(login.redirectUri);
      expect(location.searchParams.get("state")).toBe(state);
      const callbackParameters = oauth.validateAuthResponse(login.as, login.client, location, state);

      const codeResponse = await oauth.authorizationCodeGrantRequest(login.as, login.client, login.clientAuth, callbackParameters, login.redirectUri, verifier, insecure);
      const tokens = await oauth.processAuthorizationCodeResponse(login.as, login.client, codeResponse);
      expect(tokens.token_type).toBe("bearer");
      expect(tokens.expires_in).toBeGreaterThan(60);
      expect(Number.isInteger(tokens.expires_in)).toBe(true);
      expect(tokens.id_token).toBeUndefined();
      expect(tokens.scope?.split(" ")).toContain("api:admin-read");
      expect(tokens.refresh_token).toEqual(expect.any(String));

      const me = await whoAmI(emulator.baseUrl, tokens.access_token);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: "alice", status: "ACTIVE" });

      // Refresh: the refresh token rotates, the new access token is alice's too.
      const refreshResponse = await oauth.refreshTokenGrantRequest(login.as, login.client, login.clientAuth, tokens.refresh_token!, insecure);
      const refreshed = await oauth.processRefreshTokenResponse(login.as, login.client, refreshResponse);
      expect(refreshed.token_type).toBe("bearer");
      expect(refreshed.id_token).toBeUndefined();
      expect(refreshed.refresh_token).toEqual(expect.any(String));
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      const meAgain = await whoAmI(emulator.baseUrl, refreshed.access_token);
      expect(meAgain.status).toBe(200);
      expect(((await meAgain.json()) as { username: string }).username).toBe("alice");

      // Reusing the spent refresh token is refused, and it kills the whole family.
      const reuse = await refreshError(login, tokens.refresh_token!);
      expect(reuse.error).toBe("invalid_grant");
      expect(reuse.status).toBe(400);
      const successor = await refreshError(login, refreshed.refresh_token!);
      expect(successor.error).toBe("invalid_grant");
      expect((await whoAmI(emulator.baseUrl, refreshed.access_token)).status).toBe(401);
    });
  }

  it("public-app: revoking the refresh token with oauth4webapi's revocationRequest ends the session", async () => {
    const login = logins()["public-app (none)"];
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const location = await signIn(login, "bob", { challenge: await oauth.calculatePKCECodeChallenge(verifier) }, state);
    const parameters = oauth.validateAuthResponse(login.as, login.client, location, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      login.as,
      login.client,
      await oauth.authorizationCodeGrantRequest(login.as, login.client, login.clientAuth, parameters, login.redirectUri, verifier, insecure),
    );
    expect(((await (await whoAmI(emulator.baseUrl, tokens.access_token)).json()) as { username: string }).username).toBe("bob");

    const revocation = await oauth.revocationRequest(login.as, login.client, login.clientAuth, tokens.refresh_token!, insecure);
    await oauth.processRevocationResponse(revocation); // throws unless 200
    expect((await refreshError(login, tokens.refresh_token!)).error).toBe("invalid_grant");
    expect((await whoAmI(emulator.baseUrl, tokens.access_token)).status).toBe(401);
  });

  it("a replayed code is refused and revokes the tokens issued from it", async () => {
    const login = logins()["confidential-app (client_secret_basic)"];
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const location = await signIn(login, "alice", { challenge: await oauth.calculatePKCECodeChallenge(verifier) }, state);
    const parameters = oauth.validateAuthResponse(login.as, login.client, location, state);
    const exchange = () => oauth.authorizationCodeGrantRequest(login.as, login.client, login.clientAuth, parameters, login.redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(login.as, login.client, await exchange());
    expect((await whoAmI(emulator.baseUrl, tokens.access_token)).status).toBe(200);

    await expect(oauth.processAuthorizationCodeResponse(login.as, login.client, await exchange())).rejects.toMatchObject({ error: "invalid_grant", status: 400 });
    expect((await whoAmI(emulator.baseUrl, tokens.access_token)).status).toBe(401);
    expect((await refreshError(login, tokens.refresh_token!)).error).toBe("invalid_grant");
  });

  it("rejects a wrong PKCE verifier with invalid_grant, and a denied picker comes back as access_denied", async () => {
    const login = logins()["confidential-app (client_secret_basic)"];
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const location = await signIn(login, "alice", { challenge: await oauth.calculatePKCECodeChallenge(verifier) }, state);
    const parameters = oauth.validateAuthResponse(login.as, login.client, location, state);
    const wrong = await oauth.authorizationCodeGrantRequest(login.as, login.client, login.clientAuth, parameters, login.redirectUri, oauth.generateRandomCodeVerifier(), insecure);
    await expect(oauth.processAuthorizationCodeResponse(login.as, login.client, wrong)).rejects.toMatchObject({ error: "invalid_grant", status: 400 });

    // Deny: the picker's deny button redirects back with error=access_denied and the exact state.
    const denyState = oauth.generateRandomState();
    const authorizationUrl = new URL(as.authorization_endpoint!);
    authorizationUrl.search = new URLSearchParams({
      client_id: login.client.client_id,
      response_type: "code",
      state: denyState,
      redirect_uri: login.redirectUri,
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: "S256",
      scope: login.scope,
    }).toString();
    const picker = parsePicker(await (await fetch(authorizationUrl)).text(), authorizationUrl);
    const denied = await fetch(picker.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request_id: picker.requestId, decision: "deny" }),
      redirect: "manual",
    });
    expect([302, 303]).toContain(denied.status);
    expect(() => oauth.validateAuthResponse(login.as, login.client, new URL(denied.headers.get("location")!), denyState)).toThrow(
      expect.objectContaining({ error: "access_denied" }),
    );
  });
});
