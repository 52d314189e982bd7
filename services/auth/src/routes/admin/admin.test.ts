import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../../../../../test/support/emulator";
import { getCurrent, obtainCode, postForm, serviceToken, tokenUrl } from "../../../../../test/support/oauth";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("GET /api/v2/admin/users/getCurrent", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  async function aliceToken(scope = "api:admin-read") {
    const { code, verifier } = await obtainCode(emulator.baseUrl, { clientId: "public-app", scope, username: "alice" });
    const response = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", code, code_verifier: verifier, client_id: "public-app" });
    return response.json.access_token as string;
  }

  it("returns the User of the token's principal", async () => {
    const response = await getCurrent(emulator.baseUrl, await aliceToken(), {}).then((r) => r);
    expect(response.status).toBe(200);
    const user = (await response.json()) as Record<string, unknown>;
    expect(user).toMatchObject({
      username: "alice",
      givenName: "Alice",
      familyName: "Analyst",
      email: "alice@example.test",
      realm: "palantir-internal-realm",
      organization: "ri.multipass..organization.3a6b0c1e-2f4d-4c8b-9a7e-5d1f0b2c3d4e",
      status: "ACTIVE",
    });
    expect(user.id).toMatch(uuidPattern);
    const attributes = user.attributes as Record<string, string[]>;
    expect(attributes["multipass:email:primary"]).toEqual(["alice@example.test"]);
    expect(attributes["multipass:realm"]![0]).toMatch(uuidPattern);
    expect(attributes.team).toEqual(["Analytics"]);
  });

  it("accepts and ignores preview=true", async () => {
    const response = await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent?preview=true`, { headers: { Authorization: `Bearer ${await aliceToken()}` } });
    expect(response.status).toBe(200);
  });

  it.each([
    ["no header", undefined],
    ["a malformed token", "not a token"],
    ["a forged JWT", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
  ])("answers 401 in the Foundry envelope for %s", async (_label, token) => {
    const response = await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent`, { headers: token ? { Authorization: token.includes(" ") ? token : `Bearer ${token}` } : {} });
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized", parameters: {} });
    expect(body.errorInstanceId).toMatch(uuidPattern);
  });

  it("answers 403 ApiUsageDenied naming the missing scope", async () => {
    const response = await getCurrent(emulator.baseUrl, await serviceToken(emulator.baseUrl, "api:read-data"));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ errorCode: "PERMISSION_DENIED", errorName: "ApiUsageDenied", parameters: { missingScope: "api:admin-read" } });
  });

  it("allows browser apps: preflight with Authorization and Fetch-User-Agent", async () => {
    const response = await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent`, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization,fetch-user-agent" },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("fetch-user-agent");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });

  it("answers an unknown /api route with an empty 404 (API not available)", async () => {
    const response = await fetch(`${emulator.baseUrl}/api/v2/ontologies/nothing`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("");
  });
});

describe("GET /multipass/api/me", () => {
  it("returns the username for any valid token", async () => {
    const emulator = await startEmulator();
    try {
      const token = await serviceToken(emulator.baseUrl, "api:read-data");
      const response = await fetch(`${emulator.baseUrl}/multipass/api/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ username: "service-app" });
      expect((await fetch(`${emulator.baseUrl}/multipass/api/me`)).status).toBe(401);
    } finally {
      await emulator.stop();
    }
  });
});
