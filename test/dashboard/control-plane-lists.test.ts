// The control plane's list routes, each served by the service that owns the data: compute's jobs,
// runtimes and deployed-app bindings under /_emulate/foundry/compute-modules/, auth's principals,
// OAuth clients and active tokens under /_emulate/foundry/. Filters, pages, what is never shown,
// the dashboard's earlier URLs answering the same, and the admin token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { derivedModuleAuthToken } from "@foundry-emulator/tokens";
import { startEmulator, type TestEmulator } from "../support/emulator";
import { mintToken, postJobResult, readJournal, submitJob, takeJob } from "./support/dashboard-client";

const computeModules = "/_emulate/foundry/compute-modules";
const newRoutes = [
  `${computeModules}/jobs`,
  `${computeModules}/jobs/x-placeholder`,
  `${computeModules}/runtimes`,
  `${computeModules}/deployed-apps`,
  "/_emulate/foundry/principals",
  "/_emulate/foundry/oauth-clients",
  "/_emulate/foundry/tokens",
];

interface Page<Item> {
  data: Item[];
  nextCursor: string | null;
}
interface Job {
  jobId: string;
  status: string;
  runtimeId: string;
  queryType: string;
  submittedBy: { id: string };
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  return (await response.json()) as T;
}

/** Every item of a keyset-paged list, one page of `limit` at a time. */
async function everyPage<Item>(url: string, limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const separator = url.includes("?") ? "&" : "?";
    const page: Page<Item> = await getJson(`${url}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe("the control plane's list routes", () => {
  let emulator: TestEmulator;
  let base: string;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: "200" } });
    base = emulator.baseUrl;
    // A runtime without a token (the emulator derives one) and a binding to it.
    const seeded = await fetch(`${base}/_emulate/seed`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        foundry: {
          compute_modules: {
            runtimes: [{ runtime_id: "batch", display_name: "Batch runtime", max_concurrent_tasks: 3 }],
            deployed_apps: [{ deployed_app_rid: "ri.foundry.main.deployed-app.batch", branch: "nightly", runtime_id: "batch", display_name: "Nightly batch", active: false }],
          },
        },
      }),
    });
    expect(seeded.status).toBe(200);
  });
  afterAll(() => emulator?.stop());

  it("are registered by their owners only", () => {
    const routesOf = (app: { routes: Array<{ method: string; path: string }> }) => new Set(app.routes.map((route) => `${route.method} ${route.path}`));
    const auth = routesOf(createAuthApp(emulator.platform));
    const compute = routesOf(createComputeApp(emulator.platform));
    for (const path of [
      `${computeModules}/jobs`,
      `${computeModules}/jobs/:jobId`,
      `${computeModules}/runtimes`,
      `${computeModules}/deployed-apps`,
      "/_emulate/dashboard/data/jobs",
      "/_emulate/dashboard/data/jobs/:jobId",
    ]) {
      expect(compute.has(`GET ${path}`), path).toBe(true);
      expect(auth.has(`GET ${path}`), path).toBe(false);
    }
    for (const path of ["/_emulate/foundry/principals", "/_emulate/foundry/oauth-clients", "/_emulate/foundry/tokens", "/_emulate/dashboard/data/tokens"]) {
      expect(auth.has(`GET ${path}`), path).toBe(true);
      expect(compute.has(`GET ${path}`), path).toBe(false);
    }
  });

  it("lists runtimes with their task limit, derived token, schemas and active jobs, never a stored token", async () => {
    const { data } = await getJson<{ data: Array<Record<string, unknown>> }>(`${base}${computeModules}/runtimes`);
    expect(data.map((runtime) => runtime.runtimeId)).toEqual(["agent-loop", "batch"]);
    expect(data[0]).toMatchObject({
      runtimeId: "agent-loop",
      displayName: "Agent loop",
      generatedModuleAuthToken: null,
      maxConcurrentTasks: 1,
      origin: "seed",
      connected: false,
      queued: 0,
      inProgress: 0,
    });
    expect(data[1]).toMatchObject({
      runtimeId: "batch",
      displayName: "Batch runtime",
      maxConcurrentTasks: 3,
      generatedModuleAuthToken: derivedModuleAuthToken(emulator.platform.database, "batch"),
    });
    expect(JSON.stringify(data)).not.toMatch(/local-module-auth-token|Hash|hash/);

    const token = await mintToken(base, "alice", []);
    const first = await submitJob(base, token, { n: 1 });
    await submitJob(base, token, { n: 2 });
    expect((await takeJob(base))?.jobId).toBe(first);
    const after = (await getJson<{ data: Array<Record<string, unknown>> }>(`${base}${computeModules}/runtimes`)).data[0]!;
    expect(after).toMatchObject({ connected: true, queued: 1, inProgress: 1 });
    expect(after.lastPollAt).toEqual(expect.any(String));
    await postJobResult(base, first, "{}");
  });

  it("lists deployed-app bindings with their display names", async () => {
    const { data } = await getJson<{ data: unknown[] }>(`${base}${computeModules}/deployed-apps`);
    expect(data).toEqual([
      expect.objectContaining({
        rid: "ri.foundry.main.deployed-app.agent-loop",
        branch: "master",
        runtimeId: "agent-loop",
        displayName: "Agent loop",
        active: true,
        origin: "seed",
      }),
      expect.objectContaining({ rid: "ri.foundry.main.deployed-app.batch", branch: "nightly", runtimeId: "batch", displayName: "Nightly batch", active: false }),
    ]);
  });

  it("filters and pages jobs, and answers the same at the dashboard's earlier URL", async () => {
    const token = await mintToken(base, "bob", []);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await submitJob(base, token, { index, secretInput: `value-${index}` }, index % 2 ? "summarize" : "echo"));
    const bob = (await getJson<{ data: Array<{ id: string; username: string }> }>(`${base}/_emulate/foundry/principals`)).data.find((principal) => principal.username === "bob")!;

    const all = await everyPage<Job>(`${base}${computeModules}/jobs`, 2);
    expect(all.slice(0, 5).map((job) => job.jobId)).toEqual([...ids].reverse());
    expect(all[0]).toMatchObject({ status: "queued", runtimeId: "agent-loop", queryType: "echo", submittedBy: { id: bob.id } });
    expect(JSON.stringify(all)).not.toContain("secretInput");
    const queued = await everyPage<Job>(`${base}${computeModules}/jobs?status=queued&runtime=agent-loop`, 1);
    expect(queued.map((job) => job.jobId)).toEqual(all.filter((job) => job.status === "queued").map((job) => job.jobId));
    expect(queued.slice(0, 5).map((job) => job.jobId)).toEqual([...ids].reverse());
    expect(await everyPage<Job>(`${base}${computeModules}/jobs?runtime=batch`, 10)).toEqual([]);
    expect((await everyPage<Job>(`${base}${computeModules}/jobs?runtime=agent-loop`, 3)).map((job) => job.jobId)).toEqual(all.map((job) => job.jobId));
    expect((await getJson<Page<Job>>(`${base}${computeModules}/jobs?jobId=${ids[3]}`)).data.map((job) => job.jobId)).toEqual([ids[3]]);

    const canonical = await getJson<Page<Job>>(`${base}${computeModules}/jobs?limit=3`);
    expect(await getJson(`${base}/_emulate/dashboard/data/jobs?limit=3`)).toEqual(canonical);
    const detail = await getJson<{ jobId: string; query: string }>(`${base}${computeModules}/jobs/${ids[2]}`);
    expect(JSON.parse(detail.query)).toEqual({ index: 2, secretInput: "value-2" });
    expect(await getJson(`${base}/_emulate/dashboard/data/jobs/${ids[2]}`)).toEqual(detail);

    for (const query of ["status=done", "limit=0", "limit=501", "cursor=abc", "unknown=1"]) {
      const refused = await fetch(`${base}${computeModules}/jobs?${query}`);
      expect(refused.status, query).toBe(400);
      expect(await refused.json()).toMatchObject({ errorName: "Conjure:InvalidArgument" });
    }
    const missing = await fetch(`${base}${computeModules}/jobs/no-such-job`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errorName: "ComputeModules:JobNotFound", parameters: { jobId: "no-such-job" } });
  });

  it("lists principals, users first, with nothing secret", async () => {
    const { data } = await getJson<{ data: Array<{ username: string; kind: string; active: boolean; displayName: string | null }> }>(`${base}/_emulate/foundry/principals`);
    expect(data.map((principal) => `${principal.kind}:${principal.username}`)).toEqual(["user:alice", "user:bob", "user:carol.inactive", "service:service-app"]);
    expect(data[0]).toMatchObject({ displayName: "Alice Analyst", email: "alice@example.test", realm: "palantir-internal-realm", active: true, origin: "seed" });
    expect(data.find((principal) => principal.username === "carol.inactive")!.active).toBe(false);
  });

  it("lists OAuth clients with how many secrets they have, never a secret", async () => {
    const before = await getJson<{ data: Array<{ clientId: string; confidential: boolean; secretCount: number }> }>(`${base}/_emulate/foundry/oauth-clients`);
    expect(before.data.map((client) => client.clientId)).toEqual(["confidential-app", "public-app", "service-app"]);
    expect(before.data.find((client) => client.clientId === "public-app")).toMatchObject({ confidential: false, secretCount: 0 });
    const added = (await (await fetch(`${base}/_emulate/foundry/oauth-clients/service-app/secrets`, { method: "POST" })).json()) as { clientSecret: string };
    const after = await getJson<{ data: Array<{ clientId: string; secretCount: number; redirectUris: string[]; grantTypes: string[] }> }>(`${base}/_emulate/foundry/oauth-clients`);
    expect(after.data.find((client) => client.clientId === "service-app")).toMatchObject({ secretCount: 2, grantTypes: ["client_credentials"], redirectUris: [] });
    expect(JSON.stringify(after)).not.toMatch(new RegExp(`app-secret|${added.clientSecret}|[Hh]ash`));
  });

  it("filters and pages active tokens, and answers the same at the dashboard's earlier URL", async () => {
    await mintToken(base, "alice", ["api:read-data"]);
    const personal = (await (
      await fetch(`${base}/_emulate/foundry/personal-tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "alice", scopes: ["api:admin-read"], label: "ci" }),
      })
    ).json()) as { token: string; tokenId: string };

    const all = await everyPage<{ tokenId: string; kind: string; principal: { username: string | null } }>(`${base}/_emulate/foundry/tokens`, 500);
    expect(await everyPage(`${base}/_emulate/foundry/tokens`, 1)).toEqual(all);
    expect(JSON.stringify(all)).not.toContain(personal.token);
    const personalTokens = await everyPage<{ tokenId: string; kind: string; label: string | null; expiresAt: string | null }>(
      `${base}/_emulate/foundry/tokens?kind=personal&principal=alice`,
      1,
    );
    expect(personalTokens).toEqual([expect.objectContaining({ tokenId: personal.tokenId, kind: "personal", label: "ci", expiresAt: null })]);
    const alices = await everyPage<{ principal: { username: string | null }; clientId: string | null }>(`${base}/_emulate/foundry/tokens?principal=alice&kind=oauth`, 1);
    expect(alices.length).toBeGreaterThan(0);
    expect(alices.every((token) => token.principal.username === "alice")).toBe(true);
    expect(await everyPage(`${base}/_emulate/foundry/tokens?principal=nobody`, 5)).toEqual([]);
    expect(await getJson(`${base}/_emulate/dashboard/data/tokens?limit=2`)).toEqual(await getJson(`${base}/_emulate/foundry/tokens?limit=2`));
    for (const query of ["kind=refresh", "cursor=later", "limit=0"]) expect((await fetch(`${base}/_emulate/foundry/tokens?${query}`)).status, query).toBe(400);
  });
});

describe("the control plane's list routes with FOUNDRY_ADMIN_TOKEN", () => {
  const adminToken = "list-routes-admin-token";
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: adminToken } });
  });
  afterAll(() => emulator?.stop());

  it.each(newRoutes)("GET %s: 401 without the admin token or with another, answered with it", async (path) => {
    const anonymous = await fetch(`${emulator.baseUrl}${path}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ errorName: "Default:Unauthorized" });
    expect((await fetch(`${emulator.baseUrl}${path}`, { headers: { Authorization: "Bearer not-the-admin-token" } })).status).toBe(401);
    const admitted = await fetch(`${emulator.baseUrl}${path}`, { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(admitted.status).toBe(path.endsWith("x-placeholder") ? 404 : 200);
  });

  it("still lets a token POST mint (the same path's GET lists)", async () => {
    expect(
      (await fetch(`${emulator.baseUrl}/_emulate/foundry/tokens`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "alice" }) }))
        .status,
    ).toBe(401);
    const token = await mintToken(emulator.baseUrl, "alice", [], adminToken);
    expect(token).toEqual(expect.any(String));
  });
});

describe("the dashboard's refreshes of those routes", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator?.stop());

  it("stay out of the journal (X-Foundry-Emulator-Poll: dashboard), while an operator's reads are journaled", async () => {
    const path = "/_emulate/foundry/compute-modules/runtimes";
    await fetch(`${emulator.baseUrl}${path}`, { headers: { "X-Foundry-Emulator-Poll": "dashboard" } });
    await fetch(`${emulator.baseUrl}${path}?operator=1`);
    let journaled: unknown[] = [];
    for (const deadline = Date.now() + 3_000; Date.now() < deadline; ) {
      journaled = (await readJournal(emulator.baseUrl, { path })).data;
      if (journaled.length > 0) break;
      await new Promise((done) => setTimeout(done, 50));
    }
    // Exactly one entry, the operator's (the journal keeps the query, its values masked).
    await new Promise((done) => setTimeout(done, 300));
    expect((await readJournal(emulator.baseUrl, { path })).data.map((entry) => entry.path)).toEqual([expect.stringContaining("operator=")]);
  });
});
