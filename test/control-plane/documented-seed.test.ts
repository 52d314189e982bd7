import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeEndpoints } from "@foundry-emulator/compute";
import { servicePrincipalIdFor } from "@foundry-emulator/config";
import type { RuntimeSession } from "@foundry-emulator/testcontainers";
import { freePort, repositoryRoot, startEmulator, startEmulatorProcess, type TestEmulator } from "../support/emulator";
import { basicAuthorization, getCurrent, postForm, tokenUrl } from "../support/oauth";
import { startComputeEmulator, type ComputeEmulator } from "../compute/support/compute-emulator";
import { bytesOf, contourClient, startModuleProcess, type ModuleProcess } from "../compute/support/compute-client";

const documentedSeedPath = join(repositoryRoot, "test/fixtures/seeds/documented-compute-modules.yaml");
const deployedAppRid = "ri.foundry.main.deployed-app.agent-loop";
const runtimesUrl = (baseUrl: string) => `${baseUrl}/_emulate/foundry/compute-modules/runtimes`;

const pollStatus = async (baseUrl: string, runtimeId: string, token: string) =>
  (await fetch(`${runtimesUrl(baseUrl)}/${runtimeId}/job`, { headers: { "Module-Auth-Token": token } })).status;

interface Overview {
  runtimes: Array<{ runtimeId: string; generatedModuleAuthToken: string | null; maxConcurrentTasks: number }>;
  deployedApps: Array<{ rid: string; runtimeId: string; displayName: string | null }>;
}
// What the dashboard's overview route answered, from the compute service's own list routes.
const listOf = async <Item>(baseUrl: string, path: string) => ((await (await fetch(`${baseUrl}/_emulate/foundry/compute-modules/${path}`)).json()) as { data: Item[] }).data;
const overviewOf = async (baseUrl: string): Promise<Overview> => ({
  runtimes: await listOf<Overview["runtimes"][number]>(baseUrl, "runtimes"),
  deployedApps: await listOf<Overview["deployedApps"][number]>(baseUrl, "deployed-apps"),
});

const clientCredentials = (baseUrl: string, clientId: string, secret: string, scope = "api:admin-read") =>
  postForm(tokenUrl(baseUrl), { grant_type: "client_credentials", scope }, { Authorization: basicAuthorization(clientId, secret) });

describe("the seed block users paste from the documentation, byte for byte", () => {
  let emulator: ComputeEmulator;
  let module: ModuleProcess | undefined;
  beforeAll(async () => {
    emulator = await startComputeEmulator({ seed: readFileSync(documentedSeedPath, "utf8"), environment: { FOUNDRY_JOB_POLL_WAIT_MS: "300" } });
  });
  afterAll(async () => {
    await module?.stop();
    await emulator?.stop();
  });

  it("starts, and the runtime answers a poll with the seeded token (and only with it)", async () => {
    expect(emulator.platform.seedWarnings).toEqual([]);
    expect(await pollStatus(emulator.baseUrl, "agent-loop", "local-module-auth-token")).toBe(204);
    expect(await pollStatus(emulator.baseUrl, "agent-loop", "another-module-token")).toBe(401);
    const overview = await overviewOf(emulator.baseUrl);
    expect(overview.deployedApps).toEqual([expect.objectContaining({ rid: deployedAppRid, runtimeId: "agent-loop", displayName: "Agent Loop" })]);
  });

  it("routes a contour job to that deployed app to a real module", async () => {
    // The module gets the seeded runtime's environment, as `npm run env -- --runtime agent-loop` prints it.
    const endpoints = runtimeEndpoints({
      environment: emulator.platform.environment,
      tls: undefined,
      runtimeId: "agent-loop",
      moduleAuthToken: "local-module-auth-token",
      filesDirectory: join(emulator.directory, "module-files"),
      maxConcurrentTasks: 1,
    });
    module = startModuleProcess(endpoints as unknown as RuntimeSession);
    // No client is seeded: open mode takes any client's credentials.
    const issued = await clientCredentials(emulator.baseUrl, "any-app", "any-secret", "api:read-data");
    expect(issued.status).toBe(200);
    const contour = contourClient(emulator.baseUrl, issued.json.access_token as string);
    const response = await contour.execute({ deployedAppRid, deployedAppBranch: "master", queryType: "add", query: { x: 40, y: 2 } });
    expect(response.status).toBe(200);
    expect((await bytesOf(response)).toString("utf8")).toBe("42");
  });
});

const formatRulesSeed = `
foundry:
  users:
    - username: alice
    - username: backend-bot
      display_name: Backend bot
      principal_type: service
      oauth_client_id: backend
      attributes: { team: [Platform] }
  oauth_clients:
    - client_id: backend
      client_secret: backend-secret
      allowed_scopes: [api:admin-read]
    - client_id: plain-backend
      client_secret: plain-backend-secret
    - client_id: spa
      redirect_uris: [http://localhost:5173/cb]
  compute_modules:
    runtimes:
      - runtime_id: generated
        max_concurrent_tasks: 3
    deployed_apps:
      - deployed_app_rid: ri.foundry.main.deployed-app.implied
        runtime_id: implied
        display_name: Implied runtime
`;

describe("the rest of the documented format", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: formatRulesSeed, environment: { FOUNDRY_JOB_POLL_WAIT_MS: "300" } });
  });
  afterAll(() => emulator?.stop());

  it("generates a token for a runtime that has none, shown by the dashboard and accepted by the runtime", async () => {
    const overview = await overviewOf(emulator.baseUrl);
    const generated = overview.runtimes.find((runtime) => runtime.runtimeId === "generated")!;
    expect(generated.generatedModuleAuthToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generated.maxConcurrentTasks).toBe(3);
    expect(await pollStatus(emulator.baseUrl, "generated", generated.generatedModuleAuthToken!)).toBe(204);
    expect(await pollStatus(emulator.baseUrl, "generated", "not-the-generated-token")).toBe(401);
    // Only its digest is stored.
    const stored = emulator.platform.database.$client.prepare("SELECT * FROM runtimes WHERE id = 'generated'").get() as Record<string, unknown>;
    expect(JSON.stringify(stored)).not.toContain(generated.generatedModuleAuthToken!);
  });

  it("creates the runtime a deployed app names when the seed does not list it", async () => {
    const overview = await overviewOf(emulator.baseUrl);
    const implied = overview.runtimes.find((runtime) => runtime.runtimeId === "implied")!;
    expect(implied.generatedModuleAuthToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(overview.deployedApps).toContainEqual(expect.objectContaining({ rid: "ri.foundry.main.deployed-app.implied", runtimeId: "implied", displayName: "Implied runtime" }));
    expect(await pollStatus(emulator.baseUrl, "implied", implied.generatedModuleAuthToken!)).toBe(204);
  });

  it("lets a client without grant_types use client_credentials", async () => {
    const issued = await clientCredentials(emulator.baseUrl, "plain-backend", "plain-backend-secret");
    expect(issued.status).toBe(200);
    expect(await (await getCurrent(emulator.baseUrl, issued.json.access_token as string)).json()).toMatchObject({ username: "plain-backend" });
  });

  it("makes a principal_type: service user the principal its client's tokens speak for", async () => {
    const issued = await clientCredentials(emulator.baseUrl, "backend", "backend-secret");
    expect(issued.status).toBe(200);
    const me = await getCurrent(emulator.baseUrl, issued.json.access_token as string);
    expect(me.status).toBe(200);
    const body = (await me.json()) as { id: string; username: string; givenName?: string; attributes: Record<string, string[]>; organization?: string };
    expect(body).toMatchObject({ id: servicePrincipalIdFor("backend"), username: "backend-bot" });
    expect(body.attributes.team).toEqual(["Platform"]);
    expect(body.organization).toBeUndefined();
    // It is not offered as a human on the picker.
    const picker = await fetch(`${emulator.baseUrl}/multipass/api/oauth2/authorize?client_id=spa&response_type=code&code_challenge=${"c".repeat(43)}&code_challenge_method=S256`);
    expect(picker.status).toBe(200);
    const html = await picker.text();
    expect(html).toContain("alice");
    expect(html).not.toContain("backend-bot");
  });

  it("prints the runtime's .env with `npm run env -- --runtime`, the generated token included", async () => {
    const overview = await overviewOf(emulator.baseUrl);
    const token = overview.runtimes.find((runtime) => runtime.runtimeId === "generated")!.generatedModuleAuthToken!;
    const { stdout } = await promisify(execFile)(join(repositoryRoot, "node_modules/.bin/tsx"), [join(repositoryRoot, "scripts/print-env.ts"), "--runtime", "generated"], {
      env: { ...process.env, FOUNDRY_DB: emulator.databasePath, FOUNDRY_SEED: join(emulator.directory, "seed.yaml"), FOUNDRY_PUBLIC_URL: emulator.baseUrl },
    });
    expect(stdout).toContain(`GET_JOB_URI=${emulator.baseUrl}/_emulate/foundry/compute-modules/runtimes/generated/job`);
    expect(stdout).toContain("MAX_CONCURRENT_TASKS=3");
    expect(stdout).toContain(`MODULE_AUTH_TOKEN_VALUE=${token}`);
  });
});

describe("seeds written for other tools, at start-up", () => {
  it("starts with the earlier 'rid' and other services' sections, logging one warning each, and keeps a generated token across restarts", async () => {
    const directory = mkdtempSync(join(tmpdir(), "foundry-legacy-seed-"));
    const seedPath = join(directory, "legacy.yaml");
    writeFileSync(
      seedPath,
      `foundry:\n  compute_modules:\n    deployed_apps:\n      - rid: ri.foundry.main.deployed-app.legacy\n        runtime_id: legacy\nontology:\n  object_types: []\n`,
    );
    const environment = { FOUNDRY_DB: join(directory, "restart.db"), FOUNDRY_SEED: seedPath, FOUNDRY_JOB_POLL_WAIT_MS: "300" };
    let emulator = await startEmulatorProcess({ port: await freePort(), environment });
    try {
      const warnings = emulator
        .output()
        .split("\n")
        .filter((line) => line.includes('"level":"warn"'))
        .map((line) => JSON.parse(line) as { path: string; msg: string });
      expect(warnings).toEqual([
        expect.objectContaining({ path: "(document)", msg: expect.stringContaining("ontology") }),
        expect.objectContaining({ path: "foundry.compute_modules.deployed_apps[0].rid", msg: expect.stringContaining("deployed_app_rid") }),
      ]);
      const token = (await overviewOf(emulator.baseUrl)).runtimes.find((runtime) => runtime.runtimeId === "legacy")!.generatedModuleAuthToken!;
      await emulator.stop();
      emulator = await startEmulatorProcess({ port: await freePort(), environment });
      expect(await pollStatus(emulator.baseUrl, "legacy", token)).toBe(204);
    } finally {
      await emulator.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
