import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../support/emulator";
import { basicAuthorization, getCurrent, postForm, tokenUrl } from "../support/oauth";

const postSeed = (baseUrl: string, body: string, contentType = "application/yaml", headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/_emulate/seed`, { method: "POST", headers: { "Content-Type": contentType, ...headers }, body });

const runtimeSeed = `
foundry:
  users:
    - username: dana
      display_name: Dana Developer
      email: dana@example.test
    - username: alice
      display_name: Alice (updated at run time)
  oauth_clients:
    - client_id: late-service
      client_secret: late-service-secret
      grant_types: [client_credentials]
      allowed_scopes: [api:admin-read]
  compute_modules:
    runtimes:
      - runtime_id: late-runtime
        module_auth_token: late-runtime-module-token
    deployed_apps:
      - rid: ri.foundry.main.deployed-app.late
        runtime_id: late-runtime
  personal_tokens:
    - token: dana-personal-token-0001
      username: dana
      scopes: [api:admin-read]
`;

const clientCredentials = (baseUrl: string, clientId: string, secret: string) =>
  postForm(tokenUrl(baseUrl), { grant_type: "client_credentials", scope: "api:admin-read" }, { Authorization: basicAuthorization(clientId, secret) });

describe("POST /_emulate/seed", () => {
  let emulator: TestEmulator;
  const count = (sql: string) => (emulator.platform.database.$client.prepare(sql).get() as { n: number }).n;
  const rowCounts = () =>
    Object.fromEntries(
      ["principals", "oauth_clients", "oauth_client_secrets", "runtimes", "deployed_apps", "access_tokens"].map((table) => [table, count(`SELECT count(*) AS n FROM ${table}`)]),
    );

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it("adds and updates users, clients, runtimes, bindings and personal tokens without a restart", async () => {
    const response = await postSeed(emulator.baseUrl, runtimeSeed);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "applied",
      seed: { users: 2, servicePrincipals: 1, oauthClients: 1, runtimes: 1, deployedApps: 1, personalTokens: 1 },
      // This document still spells the deployed app's key the earlier way.
      warnings: [{ path: "foundry.compute_modules.deployed_apps[0].rid", message: expect.stringContaining("deployed_app_rid") }],
    });

    const token = await clientCredentials(emulator.baseUrl, "late-service", "late-service-secret");
    expect(token.status).toBe(200);
    const me = await getCurrent(emulator.baseUrl, token.json.access_token as string);
    expect(await me.json()).toMatchObject({ username: "late-service" });

    const dana = await getCurrent(emulator.baseUrl, "dana-personal-token-0001");
    expect(dana.status).toBe(200);
    expect(await dana.json()).toMatchObject({ username: "dana", email: "dana@example.test" });

    expect(count("SELECT count(*) AS n FROM runtimes WHERE id = 'late-runtime'")).toBe(1);
    expect(count("SELECT count(*) AS n FROM principals WHERE username = 'alice' AND display_name = 'Alice (updated at run time)'")).toBe(1);

    // Applying the same document again changes nothing.
    const before = rowCounts();
    expect((await postSeed(emulator.baseUrl, runtimeSeed)).status).toBe(200);
    expect(rowCounts()).toEqual(before);
  });

  it("reads JSON as well as YAML", async () => {
    const response = await postSeed(emulator.baseUrl, JSON.stringify({ foundry: { users: [{ username: "json-user" }] } }), "application/json; charset=utf-8");
    expect(response.status).toBe(200);
    expect(count("SELECT count(*) AS n FROM principals WHERE username = 'json-user'")).toBe(1);
  });

  it("refuses an invalid document with the exact path of each problem, and applies nothing", async () => {
    const before = rowCounts();
    const response = await postSeed(
      emulator.baseUrl,
      `
foundry:
  users:
    - username: valid-but-not-applied
  oauth_clients:
    - client_id: web
      redirect_uris: [http://localhost/cb, "not a uri"]
    - client_id: svc
      grant_types: [client_credentials]
`,
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errorCode: string; errorName: string; parameters: { problems: { path: string; message: string }[] } };
    expect(body).toMatchObject({ errorCode: "INVALID_ARGUMENT", errorName: "InvalidSeed" });
    expect(body.parameters.problems).toContainEqual({ path: "foundry.oauth_clients[0].redirect_uris[1]", message: expect.stringContaining("absolute") });
    expect(body.parameters.problems.map((problem) => problem.path)).toContain("foundry.oauth_clients[1].grant_types");
    expect(rowCounts()).toEqual(before);
    expect(count("SELECT count(*) AS n FROM principals WHERE username = 'valid-but-not-applied'")).toBe(0);
  });

  it("refuses text that is neither YAML nor JSON, and other media types", async () => {
    const broken = await postSeed(emulator.baseUrl, "foundry: [unclosed");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { parameters: { problems: { path: string }[] } }).parameters.problems[0]!.path).toBe("(document)");
    const form = await postSeed(emulator.baseUrl, "foundry=x", "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ errorName: "Conjure:UnsupportedMediaType" });
  });

  it("rolls back a write the database refuses half-way, answering 409", async () => {
    // A trigger on this connection makes the runtime insert fail after the users were written.
    const client = emulator.platform.database.$client;
    client.exec("CREATE TEMP TRIGGER refuse_runtime BEFORE INSERT ON runtimes WHEN NEW.id = 'refused-runtime' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END");
    try {
      const before = rowCounts();
      const response = await postSeed(
        emulator.baseUrl,
        `
foundry:
  users: [{ username: written-then-rolled-back }]
  compute_modules:
    runtimes: [{ runtime_id: refused-runtime, module_auth_token: refused-runtime-token }]
`,
      );
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ errorCode: "CONFLICT", errorName: "SeedConflict" });
      expect(rowCounts()).toEqual(before);
      expect(count("SELECT count(*) AS n FROM principals WHERE username = 'written-then-rolled-back'")).toBe(0);
    } finally {
      client.exec("DROP TRIGGER temp.refuse_runtime");
    }
  });

  it("bounds the body (FOUNDRY_MAX_BODY_BYTES)", async () => {
    const response = await postSeed(emulator.baseUrl, `# ${"x".repeat(1024 * 1024 + 10)}\nfoundry: {}\n`);
    expect(response.status).toBe(413);
  });

  it("is undone by a reset: what it added goes, what it changed returns to the start-up seed", async () => {
    expect((await fetch(`${emulator.baseUrl}/_emulate/reset`, { method: "POST" })).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, "dana-personal-token-0001")).status).toBe(401);
    expect((await clientCredentials(emulator.baseUrl, "late-service", "late-service-secret")).status).toBe(401);
    for (const sql of [
      "SELECT count(*) AS n FROM principals WHERE username IN ('dana', 'json-user', 'late-service')",
      "SELECT count(*) AS n FROM oauth_clients WHERE client_id = 'late-service'",
      "SELECT count(*) AS n FROM oauth_client_secrets WHERE client_id = 'late-service'",
      "SELECT count(*) AS n FROM runtimes WHERE id = 'late-runtime'",
      "SELECT count(*) AS n FROM deployed_apps WHERE rid = 'ri.foundry.main.deployed-app.late'",
    ]) {
      expect(count(sql), sql).toBe(0);
    }
    expect(count("SELECT count(*) AS n FROM principals WHERE username = 'alice' AND display_name = 'Alice Analyst'")).toBe(1);
    expect((await clientCredentials(emulator.baseUrl, "service-app", "service-app-secret")).status).toBe(200);
  });
});

describe("POST /_emulate/seed with FOUNDRY_ADMIN_TOKEN", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: "seed-admin-token" } });
  });
  afterAll(() => emulator.stop());

  it("needs the admin token", async () => {
    const document = "foundry:\n  users: [{ username: guarded }]\n";
    expect((await postSeed(emulator.baseUrl, document)).status).toBe(401);
    expect((await postSeed(emulator.baseUrl, document, "application/yaml", { Authorization: "Bearer seed-admin-token" })).status).toBe(200);
  });
});
