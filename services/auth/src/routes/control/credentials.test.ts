import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type TestEmulator } from "../../../../../test/support/emulator";
import { basicAuthorization, getCurrent, postForm, tokenUrl } from "../../../../../test/support/oauth";

const seed = `
foundry:
  users:
    - username: dev
      email: dev@example.test
  oauth_clients:
    - client_id: backend
      client_secrets: [old-secret-value, older-secret-value]
      grant_types: [client_credentials]
      allowed_scopes: [api:admin-read, api:read-data]
  personal_tokens:
    - token: dev-personal-token-0001
      username: dev
      scopes: [api:admin-read]
tokens:
  flat-map-token-0002: { login: dev, scopes: [api:read-data] }
`;

const clientCredentials = (baseUrl: string, secret: string) =>
  postForm(tokenUrl(baseUrl), { grant_type: "client_credentials", scope: "api:admin-read" }, { Authorization: basicAuthorization("backend", secret) });

describe("client secret rotation", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed });
  });
  afterAll(() => emulator.stop());
  const secretsUrl = () => `${emulator.baseUrl}/_emulate/foundry/oauth-clients/backend/secrets`;

  it("accepts every seeded secret", async () => {
    expect((await clientCredentials(emulator.baseUrl, "old-secret-value")).status).toBe(200);
    expect((await clientCredentials(emulator.baseUrl, "older-secret-value")).status).toBe(200);
  });

  it("old works → add new → both work → remove old → old fails, new works; issued tokens stay valid", async () => {
    const before = await clientCredentials(emulator.baseUrl, "old-secret-value");
    expect(before.status).toBe(200);
    const issuedWithOld = before.json.access_token as string;

    const added = await fetch(secretsUrl(), { method: "POST" });
    expect(added.status).toBe(201);
    const { clientSecret: newSecret, secretId: newSecretId } = (await added.json()) as { clientSecret: string; secretId: string };
    expect((await clientCredentials(emulator.baseUrl, newSecret)).status).toBe(200);
    expect((await clientCredentials(emulator.baseUrl, "old-secret-value")).status).toBe(200);

    const listed = (await (await fetch(secretsUrl())).json()) as { data: { secretId: string; origin: string }[] };
    expect(listed.data).toHaveLength(3);
    expect(JSON.stringify(listed)).not.toContain(newSecret);
    expect(JSON.stringify(listed)).not.toContain("old-secret-value");
    for (const secret of listed.data.filter((entry) => entry.secretId !== newSecretId)) {
      expect((await fetch(`${secretsUrl()}/${secret.secretId}`, { method: "DELETE" })).status).toBe(204);
    }

    const refused = await clientCredentials(emulator.baseUrl, "old-secret-value");
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe("invalid_client");
    expect((await clientCredentials(emulator.baseUrl, newSecret)).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, issuedWithOld)).status).toBe(200);

    // The last secret cannot be removed; unknown ones are 404.
    expect((await fetch(`${secretsUrl()}/${newSecretId}`, { method: "DELETE" })).status).toBe(400);
    expect((await fetch(`${secretsUrl()}/nope`, { method: "DELETE" })).status).toBe(404);
  });

  it("answers unknown and public clients in the Foundry envelope", async () => {
    const unknown = await fetch(`${emulator.baseUrl}/_emulate/foundry/oauth-clients/nobody/secrets`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorName: "OAuthClientNotFound" });
  });
});

describe("personal access tokens", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed });
  });
  afterAll(() => emulator.stop());
  const tokensUrl = () => `${emulator.baseUrl}/_emulate/foundry/personal-tokens`;

  it("accepts seeded tokens (both forms) with exactly their scopes", async () => {
    const user = await getCurrent(emulator.baseUrl, "dev-personal-token-0001");
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ username: "dev" });
    const narrow = await getCurrent(emulator.baseUrl, "flat-map-token-0002");
    expect(narrow.status).toBe(403);
    expect(await narrow.json()).toMatchObject({ parameters: { missingScope: "api:admin-read" } });
    expect((await getCurrent(emulator.baseUrl, "never-declared-token")).status).toBe(401);
  });

  it("creates, lists (never in clear) and revokes tokens at run time", async () => {
    const created = await fetch(tokensUrl(), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "dev", scopes: ["api:admin-read"], label: "laptop" }),
    });
    expect(created.status).toBe(201);
    const { token, tokenId } = (await created.json()) as { token: string; tokenId: string };
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);

    const listing = await (await fetch(tokensUrl())).text();
    expect(listing).toContain(tokenId);
    expect(listing).toContain("laptop");
    expect(listing).not.toContain(token);
    expect(listing).not.toContain("dev-personal-token-0001");

    expect((await fetch(`${tokensUrl()}/${tokenId}`, { method: "DELETE" })).status).toBe(204);
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(401);
    expect((await fetch(`${tokensUrl()}/${tokenId}-nope`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses an unknown user", async () => {
    const response = await fetch(tokensUrl(), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "ghost" }) });
    expect(response.status).toBe(404);
  });
});

describe("personal tokens survive a restart", () => {
  it("keeps seeded and created tokens valid", async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), "foundry-pat-")), "foundry.db");
    const first = await startEmulator({ seed, databasePath });
    const created = await fetch(`${first.baseUrl}/_emulate/foundry/personal-tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "dev", scopes: ["api:admin-read"] }),
    });
    const { token } = (await created.json()) as { token: string };
    await first.stop();
    const second = await startEmulator({ seed, databasePath });
    try {
      expect((await getCurrent(second.baseUrl, token)).status).toBe(200);
      expect((await getCurrent(second.baseUrl, "dev-personal-token-0001")).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
