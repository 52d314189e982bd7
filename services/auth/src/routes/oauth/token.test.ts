import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "@foundry-emulator/tokens";
import { startEmulator, type TestEmulator } from "../../../../../test/support/emulator";
import { basicAuthorization, getCurrent, obtainCode, postForm, tokenUrl } from "../../../../../test/support/oauth";

const seed = `
foundry:
  users:
    - username: alice
      organization_rid: ri.multipass..organization.11111111-2222-3333-4444-555555555555
    - username: robot
      display_name: A human who happens to share the service client's name
  oauth_clients:
    - client_id: web
      client_secret: "s3cr:t +/=%"
      redirect_uris: [http://localhost:3000/callback]
      grant_types: [authorization_code, refresh_token]
      allowed_scopes: [api:admin-read, api:read-data, offline_access]
    - client_id: other-web
      client_secret: other-secret
      redirect_uris: [http://localhost:3000/callback]
    - client_id: spa
      redirect_uris: [http://localhost:5173/callback]
    - client_id: robot
      client_secret: robot-secret
      grant_types: [client_credentials]
      allowed_scopes: [api:admin-read, api:read-data]
    - client_id: cron
      client_secret: cron-secret
      grant_types: [client_credentials]
    - client_id: nightly
      client_secret: nightly-secret
      grant_types: [client_credentials]
`;

describe("POST /multipass/api/oauth2/token", () => {
  let emulator: TestEmulator;
  let clock = Date.now();
  beforeAll(async () => {
    emulator = await startEmulator({ seed, now: () => clock, environment: { FOUNDRY_ACCESS_TOKEN_TTL: "120", FOUNDRY_AUTHORIZATION_CODE_TTL: "60" } });
  });
  afterAll(() => emulator.stop());

  const web = () => ({ Authorization: basicAuthorization("web", "s3cr:t +/=%") });
  const webLogin = (scope = "api:admin-read offline_access") => obtainCode(emulator.baseUrl, { clientId: "web", redirectUri: "http://localhost:3000/callback", scope });
  const exchange = (code: string, verifier: string, headers: Record<string, string> = web(), extra: Record<string, string> = {}) =>
    postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "http://localhost:3000/callback", ...extra }, headers);

  describe("request format and client authentication", () => {
    it("refuses a body that is not a form", async () => {
      const response = await fetch(tokenUrl(emulator.baseUrl), {
        method: "POST",
        headers: { "Content-Type": "application/json", ...web() },
        body: '{"grant_type":"client_credentials"}',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    });

    it("requires a known grant_type", async () => {
      expect((await postForm(tokenUrl(emulator.baseUrl), {}, web())).json.error).toBe("invalid_request");
      expect((await postForm(tokenUrl(emulator.baseUrl), { grant_type: "password" }, web())).json.error).toBe("unsupported_grant_type");
      expect((await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials" }, web())).json.error).toBe("unauthorized_client");
    });

    it("refuses a parameter sent twice", async () => {
      const response = await fetch(tokenUrl(emulator.baseUrl), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...web() },
        body: "grant_type=authorization_code&code=a&code=b",
      });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe("invalid_request");
    });

    it("decodes each half of HTTP Basic as a form value (special characters in the secret)", async () => {
      const { code, verifier } = await webLogin();
      const response = await exchange(code, verifier);
      expect(response.status).toBe(200);
    });

    it("accepts the credentials in the body instead", async () => {
      const { code, verifier } = await webLogin();
      const response = await exchange(code, verifier, {}, { client_id: "web", client_secret: "s3cr:t +/=%" });
      expect(response.status).toBe(200);
    });

    it("answers a wrong Basic secret with 401 invalid_client and a challenge", async () => {
      const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials" }, { Authorization: basicAuthorization("robot", "wrong") });
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ error: "invalid_client" });
      expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
    });

    it("answers a wrong body secret with 401 invalid_client", async () => {
      const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials", client_id: "robot", client_secret: "wrong" });
      expect(response.status).toBe(401);
      expect(response.json.error).toBe("invalid_client");
      expect(response.headers.get("www-authenticate")).toBeNull();
    });

    it("refuses two authentication methods at once, and a confidential client without its secret", async () => {
      const both = await postForm(
        tokenUrl(emulator.baseUrl),
        { grant_type: "client_credentials", client_secret: "robot-secret" },
        { Authorization: basicAuthorization("robot", "robot-secret") },
      );
      expect(both.json.error).toBe("invalid_request");
      const { code, verifier } = await webLogin();
      const withoutSecret = await exchange(code, verifier, {}, { client_id: "web" });
      expect(withoutSecret.status).toBe(401);
      expect(withoutSecret.json.error).toBe("invalid_client");
    });

    it("accepts a public client by body client_id or Basic with an empty password", async () => {
      const first = await obtainCode(emulator.baseUrl, { clientId: "spa" });
      expect((await postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", code: first.code, code_verifier: first.verifier, client_id: "spa" })).status).toBe(
        200,
      );
      const second = await obtainCode(emulator.baseUrl, { clientId: "spa" });
      expect((await exchange(second.code, second.verifier, { Authorization: basicAuthorization("spa", "") }, { redirect_uri: "http://localhost:5173/callback" })).status).toBe(200);
    });
  });

  describe("authorization_code", () => {
    it("issues a bearer token with no id_token, no-store, and a refresh token only with offline_access", async () => {
      const { code, verifier } = await webLogin();
      const response = await exchange(code, verifier);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.json).toMatchObject({ token_type: "bearer", expires_in: 120, scope: "api:admin-read offline_access" });
      expect(response.json.access_token).toEqual(expect.any(String));
      expect(response.json.refresh_token).toEqual(expect.any(String));
      expect(response.json).not.toHaveProperty("id_token");

      const withoutOffline = await webLogin("api:admin-read");
      const second = await exchange(withoutOffline.code, withoutOffline.verifier);
      expect(second.json).not.toHaveProperty("refresh_token");
    });

    it("accepts and ignores scope on the code exchange", async () => {
      const { code, verifier } = await webLogin();
      expect((await exchange(code, verifier, web(), { scope: "whatever" })).status).toBe(200);
    });

    it("refuses a replayed code and revokes every token issued from it", async () => {
      const { code, verifier } = await webLogin();
      const first = await exchange(code, verifier);
      expect((await getCurrent(emulator.baseUrl, first.json.access_token as string)).status).toBe(200);
      const replay = await exchange(code, verifier);
      expect(replay.status).toBe(400);
      expect(replay.json.error).toBe("invalid_grant");
      expect((await getCurrent(emulator.baseUrl, first.json.access_token as string)).status).toBe(401);
      const refresh = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "refresh_token", refresh_token: first.json.refresh_token as string }, web());
      expect(refresh.json.error).toBe("invalid_grant");
    });

    it("checks the PKCE verifier and burns the code on a failed attempt", async () => {
      const { code, verifier } = await webLogin();
      const wrong = await exchange(code, "x".repeat(43));
      expect(wrong.json.error).toBe("invalid_grant");
      const right = await exchange(code, verifier);
      expect(right.json.error).toBe("invalid_grant");
    });

    it("refuses a malformed or missing verifier", async () => {
      const malformed = await webLogin();
      expect((await exchange(malformed.code, "short")).json.error).toBe("invalid_request");
      const missing = await webLogin();
      const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", code: missing.code, redirect_uri: "http://localhost:3000/callback" }, web());
      expect(response.json.error).toBe("invalid_grant");
    });

    it("requires the redirect_uri used at authorize, exactly", async () => {
      const { code, verifier } = await webLogin();
      expect((await exchange(code, verifier, web(), { redirect_uri: "http://localhost:3000/callback/" })).json.error).toBe("invalid_grant");
      const second = await webLogin();
      const omitted = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", code: second.code, code_verifier: second.verifier }, web());
      expect(omitted.json.error).toBe("invalid_grant");
    });

    it("refuses a code issued to another client", async () => {
      const { code, verifier } = await webLogin();
      const response = await exchange(code, verifier, { Authorization: basicAuthorization("other-web", "other-secret") });
      expect(response.json.error).toBe("invalid_grant");
    });

    it("refuses an expired code", async () => {
      const { code, verifier } = await webLogin();
      clock += 61_000;
      try {
        expect((await exchange(code, verifier)).json.error).toBe("invalid_grant");
      } finally {
        clock -= 61_000;
      }
    });
  });

  describe("refresh_token", () => {
    async function loggedIn() {
      const { code, verifier } = await webLogin("api:admin-read api:read-data offline_access");
      return (await exchange(code, verifier)).json as { access_token: string; refresh_token: string };
    }
    const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
      postForm(tokenUrl(emulator.baseUrl), { grant_type: "refresh_token", refresh_token: refreshToken, ...extra }, web());

    it("rotates the refresh token on every use", async () => {
      const tokens = await loggedIn();
      const next = await refresh(tokens.refresh_token);
      expect(next.status).toBe(200);
      expect(next.json.refresh_token).toEqual(expect.any(String));
      expect(next.json.refresh_token).not.toBe(tokens.refresh_token);
      expect(next.json.access_token).not.toBe(tokens.access_token);
      expect((await refresh(next.json.refresh_token as string)).status).toBe(200);
    });

    it("revokes the whole family when a rotated token is used again", async () => {
      const tokens = await loggedIn();
      const next = await refresh(tokens.refresh_token);
      const reuse = await refresh(tokens.refresh_token);
      expect(reuse.json.error).toBe("invalid_grant");
      expect((await refresh(next.json.refresh_token as string)).json.error).toBe("invalid_grant");
      expect((await getCurrent(emulator.baseUrl, next.json.access_token as string)).status).toBe(401);
      expect((await getCurrent(emulator.baseUrl, tokens.access_token)).status).toBe(401);
    });

    it("lets a scope narrow, never widen", async () => {
      const tokens = await loggedIn();
      const narrowed = await refresh(tokens.refresh_token, { scope: "api:read-data" });
      expect(narrowed.json.scope).toBe("api:read-data");
      expect((await getCurrent(emulator.baseUrl, narrowed.json.access_token as string)).status).toBe(403);
      // The new refresh token keeps the original grant: it can still get api:admin-read back.
      const again = await refresh(narrowed.json.refresh_token as string, { scope: "api:admin-read" });
      expect(again.status).toBe(200);
      const widened = await refresh(again.json.refresh_token as string, { scope: "api:admin-read api:write-data" });
      expect(widened.json.error).toBe("invalid_scope");
    });

    it("refuses a refresh token of another client or an unknown one", async () => {
      const tokens = await loggedIn();
      const stolen = await postForm(
        tokenUrl(emulator.baseUrl),
        { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
        { Authorization: basicAuthorization("other-web", "other-secret") },
      );
      expect(stolen.json.error).toBe("invalid_grant");
      expect((await refresh("not-a-token")).json.error).toBe("invalid_grant");
      expect((await refresh(tokens.refresh_token)).status).toBe(200);
    });
  });

  describe("client_credentials", () => {
    const robot = () => ({ Authorization: basicAuthorization("robot", "robot-secret") });

    it("issues an access token only, even when offline_access is asked", async () => {
      const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials", scope: "api:admin-read offline_access" }, robot());
      expect(response.status).toBe(200);
      expect(response.json).not.toHaveProperty("refresh_token");
      expect(response.json.scope).toBe("api:admin-read");
    });

    it("grants the allowed scopes when none are asked, and refuses others", async () => {
      const all = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials" }, robot());
      expect(all.json.scope).toBe("api:admin-read api:read-data");
      const refused = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials", scope: "api:write-data" }, robot());
      expect(refused.json.error).toBe("invalid_scope");
    });

    it("speaks for a service principal, never the human of the same name", async () => {
      const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials", scope: "api:admin-read" }, robot());
      const service = (await (await getCurrent(emulator.baseUrl, response.json.access_token as string)).json()) as Record<string, unknown>;
      expect(service.username).toBe("robot");
      expect(service).not.toHaveProperty("organization");
      expect(service.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      const human = await obtainCode(emulator.baseUrl, { clientId: "web", redirectUri: "http://localhost:3000/callback", scope: "api:admin-read", username: "robot" });
      const humanTokens = await exchange(human.code, human.verifier);
      const humanUser = (await (await getCurrent(emulator.baseUrl, humanTokens.json.access_token as string)).json()) as Record<string, unknown>;
      expect(humanUser.username).toBe("robot");
      expect(humanUser.id).not.toBe(service.id);
    });
  });

  // Clients are cached between writes and concurrent grants commit together: changes made by
  // another process (another connection to the file) must still count from the next request on.
  describe("client_credentials under concurrency and outside changes", () => {
    const clientCredentials = (clientId: string, secret: string) =>
      postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials" }, { Authorization: basicAuthorization(clientId, secret) });
    const withOtherConnection = (change: (other: Database.Database) => void) => {
      const other = new Database(emulator.databasePath);
      try {
        change(other);
      } finally {
        other.close();
      }
    };

    it("sees a secret rotated or a client removed by another process at once", async () => {
      // Each refused attempt writes nothing here, so only the other connection's commit can tell.
      expect((await clientCredentials("cron", "cron-rotated")).json.error).toBe("invalid_client");
      withOtherConnection((other) => other.prepare("UPDATE oauth_client_secrets SET secret_hash = ? WHERE client_id = 'cron'").run(hashSecret("cron-rotated")));
      expect((await clientCredentials("cron", "cron-rotated")).status).toBe(200);
      expect((await clientCredentials("cron", "cron-secret")).json.error).toBe("invalid_client");
      withOtherConnection((other) => {
        other.prepare("DELETE FROM oauth_client_secrets WHERE client_id = 'cron'").run();
        other.prepare("DELETE FROM oauth_clients WHERE client_id = 'cron'").run();
      });
      const removed = await clientCredentials("cron", "cron-rotated");
      expect(removed.status).toBe(401);
      expect(removed.json.error_description).toBe("Unknown client.");
    });

    it("answers concurrent requests each with its own token, refusing only a deactivated service principal", async () => {
      expect((await clientCredentials("nightly", "nightly-secret")).status).toBe(200); // creates its principal
      withOtherConnection((other) => other.prepare("UPDATE principals SET active = 0 WHERE kind = 'service' AND username = 'nightly'").run());
      const responses = await Promise.all(
        ["robot", "nightly", "robot", "robot", "nightly", "robot", "robot", "robot"].map((clientId) =>
          clientCredentials(clientId, `${clientId}-secret`).then((response) => ({ clientId, ...response })),
        ),
      );
      for (const response of responses.filter((entry) => entry.clientId === "nightly")) {
        expect(response.status).toBe(401);
        expect(response.json.error_description).toBe("The client's service principal is deactivated.");
      }
      const issued = responses.filter((entry) => entry.clientId === "robot").map((entry) => entry.json.access_token as string);
      expect(new Set(issued).size).toBe(6);
      for (const token of issued) expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);
    });
  });

  describe("access token lifetime", () => {
    it("is refused once expired", async () => {
      const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials" }, { Authorization: basicAuthorization("robot", "robot-secret") });
      const token = response.json.access_token as string;
      expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);
      clock += 121_000;
      try {
        const expired = await getCurrent(emulator.baseUrl, token);
        expect(expired.status).toBe(401);
        expect(await expired.json()).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized" });
      } finally {
        clock -= 121_000;
      }
    });
  });

  it("answers an oversized body with 413 in the OAuth envelope", async () => {
    const response = await fetch(tokenUrl(emulator.baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&pad=${"x".repeat(2 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });
});
