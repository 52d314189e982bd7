import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../../../../../test/support/emulator";
import { getCurrent, serviceToken } from "../../../../../test/support/oauth";

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("control plane", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  describe("POST /_emulate/foundry/tokens", () => {
    it("mints a token for a seeded user with exactly the given scopes", async () => {
      const response = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { username: "bob", scopes: ["api:admin-read"] });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ token_type: "bearer", expires_in: 3600, scope: "api:admin-read" });
      const user = await getCurrent(emulator.baseUrl, body.access_token as string);
      expect(await user.json()).toMatchObject({ username: "bob", id: body.user_id });
    });

    it("mints for a service principal, with a chosen lifetime", async () => {
      await serviceToken(emulator.baseUrl); // the service principal exists once the client has a token, or from the seed
      const response = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { client_id: "service-app", scopes: ["api:read-data"], expires_in: 90 });
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.expires_in).toBe(90);
      const denied = await getCurrent(emulator.baseUrl, body.access_token as string);
      expect(await denied.json()).toMatchObject({ errorName: "ApiUsageDenied", parameters: { missingScope: "api:admin-read" } });
    });

    it("answers bad input in the Foundry envelope, naming the problem", async () => {
      const unknown = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { username: "nobody" });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ errorCode: "NOT_FOUND", errorName: "UserNotFound" });
      const notJson = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, "{oops");
      expect(notJson.status).toBe(400);
      const badScopes = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { username: "bob", scopes: "api:admin-read" });
      expect(badScopes.status).toBe(400);
      expect(((await badScopes.json()) as { parameters: { problems: { path: string }[] } }).parameters.problems[0]!.path).toBe("scopes");
      const both = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { username: "bob", client_id: "service-app" });
      expect(both.status).toBe(400);
      const inactive = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { username: "carol.inactive" });
      expect(inactive.status).toBe(400);
    });
  });

  describe("POST /_emulate/reset", () => {
    it("wipes run-time state and keeps the seed", async () => {
      const token = await serviceToken(emulator.baseUrl);
      expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);
      const response = await fetch(`${emulator.baseUrl}/_emulate/reset`, { method: "POST" });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: "reset", seed: { users: 3, oauthClients: 3 } });
      expect((await getCurrent(emulator.baseUrl, token)).status).toBe(401);
      // Seeded clients and users still work.
      expect((await getCurrent(emulator.baseUrl, await serviceToken(emulator.baseUrl))).status).toBe(200);
      const count = (emulator.platform.database.$client.prepare("SELECT count(*) AS n FROM principals WHERE kind = 'user'").get() as { n: number }).n;
      expect(count).toBe(3);
    });
  });
});

describe("FOUNDRY_ADMIN_TOKEN", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: "shared-environment-admin" } });
  });
  afterAll(() => emulator.stop());

  it.each(["/_emulate/reset", "/_emulate/foundry/tokens", "/_emulate/foundry/compute-modules/runtimes"])("guards POST %s", async (path) => {
    const anonymous = await postJson(`${emulator.baseUrl}${path}`, { username: "bob" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ errorCode: "UNAUTHORIZED" });
    const wrong = await postJson(`${emulator.baseUrl}${path}`, { username: "bob" }, { Authorization: "Bearer not-the-admin-token" });
    expect(wrong.status).toBe(401);
  });

  it("lets the admin token through", async () => {
    const response = await postJson(`${emulator.baseUrl}/_emulate/foundry/tokens`, { username: "bob" }, { Authorization: "Bearer shared-environment-admin" });
    expect(response.status).toBe(200);
  });

  it("leaves reads open", async () => {
    expect((await fetch(`${emulator.baseUrl}/_emulate/health`)).status).toBe(200);
  });
});
