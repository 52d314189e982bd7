import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { routeAccessTable, type RouteAccessEntry } from "@foundry-emulator/contract";
import { startEmulator, type TestEmulator } from "./support/emulator";

const adminToken = "route-walk-admin-token";

/** A concrete URL for a table pattern. */
const urlOf = (baseUrl: string, entry: RouteAccessEntry) => `${baseUrl}${entry.path.replace(/:[A-Za-z]+/g, "x-placeholder")}`;

async function mint(baseUrl: string, scopes: string[]) {
  const response = await fetch(`${baseUrl}/_emulate/foundry/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ username: "alice", scopes }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe("the route-access table", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: adminToken, FOUNDRY_JOB_POLL_WAIT_MS: "50" } });
  });
  afterAll(() => emulator.stop());

  it("lists every route the services register", () => {
    const registered = [...createAuthApp(emulator.platform).routes, ...createComputeApp(emulator.platform).routes]
      .filter((route) => route.method !== "ALL" && route.method !== "OPTIONS")
      .map((route) => `${route.method} ${route.path.replace(/\/$/, "") || "/"}`);
    const declared = new Set(routeAccessTable.map((entry) => `${entry.method} ${entry.path}`));
    const unlisted = [...new Set(registered)].filter((route) => !declared.has(route));
    expect(unlisted).toEqual([]);
  });

  const bodyFor = (entry: RouteAccessEntry) => (entry.method === "GET" || entry.method === "DELETE" ? undefined : "{}");

  describe.each(routeAccessTable.filter((entry) => entry.access.kind === "scope" || entry.access.kind === "token"))("$method $path", (entry) => {
    it("answers 401 Default:Unauthorized without a token and with a bad one", async () => {
      for (const headers of [{}, { Authorization: "Bearer not-a-real-token" }] as Record<string, string>[]) {
        const response = await fetch(urlOf(emulator.baseUrl, entry), { method: entry.method, headers: { "Content-Type": "application/json", ...headers }, body: bodyFor(entry) });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized" });
      }
    });

    if (entry.access.kind === "scope") {
      const scope = entry.access.scope;
      it(`answers 403 ApiUsageDenied {missingScope: ${scope}} to a token without it, and passes one with it`, async () => {
        const denied = await fetch(urlOf(emulator.baseUrl, entry), {
          method: entry.method,
          headers: { Authorization: `Bearer ${await mint(emulator.baseUrl, ["api:read-data"])}` },
          body: bodyFor(entry),
        });
        expect(denied.status).toBe(403);
        expect(await denied.json()).toMatchObject({ errorCode: "PERMISSION_DENIED", errorName: "ApiUsageDenied", parameters: { missingScope: scope } });
        const allowed = await fetch(urlOf(emulator.baseUrl, entry), {
          method: entry.method,
          headers: { Authorization: `Bearer ${await mint(emulator.baseUrl, [scope])}` },
          body: bodyFor(entry),
        });
        expect([401, 403]).not.toContain(allowed.status);
      });
    } else {
      it("lets any valid token past the guard, whatever its scopes", async () => {
        const response = await fetch(urlOf(emulator.baseUrl, entry), {
          method: entry.method,
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${await mint(emulator.baseUrl, [])}` },
          body: bodyFor(entry),
        });
        expect([401, 403]).not.toContain(response.status);
      });
    }
  });

  it.each(routeAccessTable.filter((entry) => entry.access.kind === "module-token"))("$method $path refuses a request without Module-Auth-Token", async (entry) => {
    const response = await fetch(urlOf(emulator.baseUrl, entry), { method: entry.method, body: bodyFor(entry) });
    expect(response.status).toBe(401);
  });

  it.each(routeAccessTable.filter((entry) => entry.access.kind === "oauth-client"))("$method $path refuses an unauthenticated client", async (entry) => {
    const response = await fetch(urlOf(emulator.baseUrl, entry), {
      method: entry.method,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&token=x",
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });

  it.each(routeAccessTable.filter((entry) => entry.access.kind === "admin" && entry.method !== "GET"))("$method $path needs the admin token", async (entry) => {
    const response = await fetch(urlOf(emulator.baseUrl, entry), { method: entry.method, headers: { "Content-Type": "application/json" }, body: bodyFor(entry) });
    expect(response.status).toBe(401);
    const withToken = await fetch(urlOf(emulator.baseUrl, entry), {
      method: entry.method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
      body: bodyFor(entry),
    });
    expect(withToken.status).not.toBe(401);
  });

  it.each(routeAccessTable.filter((entry) => entry.access.kind === "public"))("$method $path answers without credentials", async (entry) => {
    const response = await fetch(urlOf(emulator.baseUrl, entry), {
      method: entry.method,
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: entry.method === "GET" ? undefined : "",
    });
    expect(response.status).not.toBe(401);
    expect(response.status).toBeLessThan(500);
  });
});
