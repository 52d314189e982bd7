// The dashboard's data and control routes through HTTP: principals, clients, runtimes and bindings,
// active tokens and their revocation, jobs (list, filters, pages, detail, result download, cancel),
// and the admin token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeAccessTable } from "@foundry-emulator/contract";
import { startEmulator, type TestEmulator } from "../support/emulator";
import { getCurrent } from "../support/oauth";
import { contourBase, mintToken, postJobResult, submitJob, takeJob } from "./support/dashboard-client";

interface JobWire {
  jobId: string;
  status: string;
  runtimeId: string;
  queryType: string;
  attempts: number;
  submittedBy: { id: string };
  createdAt: string;
  dispatchedAt: string | null;
  finishedAt: string | null;
  waitMs: number | null;
  runMs: number | null;
  resultBytes: number | null;
}
interface JobsPage {
  data: JobWire[];
  nextCursor: string | null;
  counts: { total: number; queued: number; inProgress: number; finished: number };
}
interface TokenWire {
  tokenId: string;
  kind: string;
  principal: { username: string | null; kind: string | null };
  clientId: string | null;
  scopes: string[];
  expiresAt: string | null;
}

const getJson = async <T>(url: string, headers: Record<string, string> = {}): Promise<T> => {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

interface Overview {
  principals: Array<{ id: string; username: string; kind: string; active: boolean }>;
  oauthClients: Array<{ clientId: string; confidential: boolean; secretCount: number }>;
  runtimes: Array<{ runtimeId: string; connected: boolean; lastPollAt: string | null; schemas: string[]; queued: number }>;
  deployedApps: Array<{ rid: string; runtimeId: string; active: boolean }>;
  personalTokens: unknown[];
}
/** What the dashboard's overview route answered, now read from each owner's list route: auth's principals, clients and personal tokens, compute's runtimes and bindings. */
async function overviewOf(base: string): Promise<Overview> {
  const list = async <Item>(path: string) => (await getJson<{ data: Item[] }>(`${base}/_emulate/foundry/${path}`)).data;
  const [principals, oauthClients, runtimes, deployedApps, personalTokens] = await Promise.all([
    list<Overview["principals"][number]>("principals"),
    list<Overview["oauthClients"][number]>("oauth-clients"),
    list<Overview["runtimes"][number]>("compute-modules/runtimes"),
    list<Overview["deployedApps"][number]>("compute-modules/deployed-apps"),
    list<unknown>("personal-tokens"),
  ]);
  return { principals, oauthClients, runtimes, deployedApps, personalTokens };
}

describe("dashboard data", () => {
  let emulator: TestEmulator;
  let base: string;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: "200" } });
    base = emulator.baseUrl;
  });
  afterAll(() => emulator?.stop());

  it("serves the page at /_emulate/ (and redirects /_emulate there)", async () => {
    const page = await fetch(`${base}/_emulate/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="dashboard/dashboard.js" defer></script>');
    expect(html).toContain('data-table="jobs"');
    const redirect = await fetch(`${base}/_emulate`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(new URL(redirect.headers.get("Location")!, `${base}/_emulate`).pathname).toBe("/_emulate/");
    const script = await fetch(`${base}/_emulate/dashboard/dashboard.js`);
    expect(script.headers.get("Content-Type")).toContain("text/javascript");
    expect(await script.text()).toContain("foundry/compute-modules/jobs");
  });

  it("shows principals, clients without secrets, runtimes and deployed apps", async () => {
    const overview = await overviewOf(base);
    expect(overview.principals.map((principal) => principal.username)).toEqual(expect.arrayContaining(["alice", "bob", "carol.inactive"]));
    expect(overview.principals.find((principal) => principal.username === "carol.inactive")!.active).toBe(false);
    expect(overview.oauthClients.find((client) => client.clientId === "confidential-app")).toMatchObject({ confidential: true, secretCount: 1 });
    expect(overview.oauthClients.find((client) => client.clientId === "public-app")).toMatchObject({ confidential: false, secretCount: 0 });
    expect(JSON.stringify(overview)).not.toMatch(/app-secret|secret_hash|secretHash|tokenHash/);
    expect(overview.runtimes).toEqual([expect.objectContaining({ runtimeId: "agent-loop", connected: false, lastPollAt: null, schemas: [] })]);
    expect(overview.deployedApps).toEqual([expect.objectContaining({ rid: "ri.foundry.main.deployed-app.agent-loop", runtimeId: "agent-loop", active: true })]);

    // A module polls and posts its schemas: the runtime is connected and its schemas are listed.
    await takeJob(base);
    const posted = await fetch(`${base}/_emulate/foundry/compute-modules/runtimes/agent-loop/schemas`, {
      method: "POST",
      headers: { "Module-Auth-Token": "local-module-auth-token", "Content-Type": "application/json" },
      body: JSON.stringify([{ functionName: "echo" }, { functionName: "summarize" }]),
    });
    expect(posted.status).toBe(204);
    const after = await overviewOf(base);
    expect(after.runtimes[0]).toMatchObject({ connected: true, schemas: ["echo", "summarize"] });
    expect(after.runtimes[0]!.lastPollAt).not.toBeNull();
  });

  it("lists active tokens by principal and client, pages them, and revokes one by id", async () => {
    const bobToken = await mintToken(base, "bob", ["api:admin-read"]);
    await mintToken(base, "alice", ["api:read-data"]);
    await mintToken(base, "alice", ["api:admin-read", "api:read-data"]);
    const personal = (await (
      await fetch(`${base}/_emulate/foundry/personal-tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "bob", scopes: ["api:admin-read"], label: "laptop" }),
      })
    ).json()) as { token: string; tokenId: string };

    const all = await getJson<{ data: TokenWire[]; nextCursor: string | null }>(`${base}/_emulate/dashboard/data/tokens`);
    expect(JSON.stringify(all)).not.toContain(bobToken);
    expect(JSON.stringify(all)).not.toContain(personal.token);
    const bobs = await getJson<{ data: TokenWire[] }>(`${base}/_emulate/dashboard/data/tokens?principal=bob`);
    expect(bobs.data.map((token) => token.kind).sort()).toEqual(["oauth", "personal"]);
    // Latest expiry first; a personal token without expiry comes after those that expire.
    expect(bobs.data.at(-1)).toMatchObject({ tokenId: personal.tokenId, kind: "personal", expiresAt: null });
    const alices = await getJson<{ data: TokenWire[] }>(`${base}/_emulate/dashboard/data/tokens?principal=alice&client=foundry-emulator-control-plane`);
    expect(alices.data).toHaveLength(2);
    expect(alices.data.every((token) => token.principal.username === "alice" && token.clientId === "foundry-emulator-control-plane")).toBe(true);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: TokenWire[]; nextCursor: string | null } = await getJson(`${base}/_emulate/dashboard/data/tokens?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      paged.push(...page.data.map((token) => token.tokenId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.data.map((token) => token.tokenId));

    // Revoke bob's OAuth token by id: getCurrent answers 401 at once, and it leaves the list.
    const bobOauth = bobs.data.find((token) => token.kind === "oauth")!;
    expect((await getCurrent(base, bobToken)).status).toBe(200);
    const revoked = await fetch(`${base}/_emulate/foundry/tokens/${bobOauth.tokenId}/revoke`, { method: "POST" });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ tokenId: bobOauth.tokenId, revoked: true, changed: true });
    expect((await getCurrent(base, bobToken)).status).toBe(401);
    expect((await fetch(`${base}/_emulate/foundry/tokens/${bobOauth.tokenId}/revoke`, { method: "POST" })).status).toBe(200);
    // Personal tokens too.
    expect((await fetch(`${base}/_emulate/foundry/tokens/${personal.tokenId}/revoke`, { method: "POST" })).status).toBe(200);
    expect((await getCurrent(base, personal.token)).status).toBe(401);
    expect((await getJson<{ data: TokenWire[] }>(`${base}/_emulate/dashboard/data/tokens?principal=bob`)).data).toEqual([]);
    const unknown = await fetch(`${base}/_emulate/foundry/tokens/no-such-token/revoke`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorName: "AccessTokenNotFound" });
  });

  it("lists jobs newest first, filters and pages them on the server, and shows one with its query and result", async () => {
    const token = await mintToken(base, "alice", ["api:read-data"]);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await submitJob(base, token, { index, secretInput: `value-${index}` }, index % 2 ? "summarize" : "echo"));

    const page = await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs`);
    expect(page.data.slice(0, 5).map((job) => job.jobId)).toEqual([...ids].reverse());
    // The submitter by id: its username is the auth service's (the page looks it up there).
    const alice = (await getJson<{ data: Overview["principals"] }>(`${base}/_emulate/foundry/principals`)).data.find((principal) => principal.username === "alice")!;
    expect(page.data[0]).toMatchObject({
      status: "queued",
      runtimeId: "agent-loop",
      queryType: "echo",
      attempts: 0,
      submittedBy: { id: alice.id },
      dispatchedAt: null,
      resultBytes: null,
    });
    expect(page.counts).toMatchObject({ total: 5, queued: 5, inProgress: 0 });
    expect(JSON.stringify(page)).not.toContain("secretInput"); // queries only in the detail

    // The module takes the oldest and answers it.
    const taken = await takeJob(base);
    expect(taken?.jobId).toBe(ids[0]);
    await postJobResult(base, ids[0]!, JSON.stringify({ echoed: { index: 0 } }));
    const succeeded = await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?status=succeeded`);
    expect(succeeded.data.map((job) => job.jobId)).toEqual([ids[0]]);
    expect(succeeded.data[0]!.waitMs).toBeGreaterThanOrEqual(0);
    expect(succeeded.data[0]!.runMs).toBeGreaterThanOrEqual(0);
    expect(succeeded.data[0]!.resultBytes).toBe(JSON.stringify({ echoed: { index: 0 } }).length);
    expect((await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?status=queued&runtime=agent-loop`)).data).toHaveLength(4);
    expect((await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?runtime=agent-loop`)).data.map((job) => job.jobId)).toEqual([...ids].reverse());
    expect((await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?runtime=other`)).data).toEqual([]);
    expect((await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?jobId=${ids[2]}`)).data.map((job) => job.jobId)).toEqual([ids[2]]);

    const firstPage = await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?limit=2`);
    const secondPage = await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?limit=2&cursor=${firstPage.nextCursor}`);
    const thirdPage = await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?limit=2&cursor=${secondPage.nextCursor}`);
    expect([...firstPage.data, ...secondPage.data, ...thirdPage.data].map((job) => job.jobId)).toEqual([...ids].reverse());
    expect(thirdPage.nextCursor).toBeNull();
    expect((await fetch(`${base}/_emulate/dashboard/data/jobs?status=done`)).status).toBe(400);

    const detail = await getJson<{ query: string; result: { bytes: number; encoding: string; preview: string; truncated: boolean } }>(
      `${base}/_emulate/dashboard/data/jobs/${ids[0]}`,
    );
    expect(JSON.parse(detail.query)).toEqual({ index: 0, secretInput: "value-0" });
    const resultText = JSON.stringify({ echoed: { index: 0 } });
    expect(detail.result).toEqual({ bytes: resultText.length, encoding: "utf8", preview: resultText, truncated: false });
    expect((await fetch(`${base}/_emulate/dashboard/data/jobs/nope`)).status).toBe(404);

    const download = await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${ids[0]}/result`);
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Disposition")).toBe(`attachment; filename="job-${ids[0]}-result.json"`);
    expect(await download.text()).toBe(JSON.stringify({ echoed: { index: 0 } }));
    const notYet = await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${ids[1]}/result`);
    expect(notYet.status).toBe(409);
  });

  it("shows a large binary result as a short base64 preview, and downloads it whole", async () => {
    const token = await mintToken(base, "bob", []);
    const jobId = await submitJob(base, token, { binary: true });
    let taken = await takeJob(base);
    // Earlier tests' jobs come first; each is answered, as the runtime runs one job at a time.
    while (taken && taken.jobId !== jobId) {
      await postJobResult(base, taken.jobId, "{}");
      taken = await takeJob(base);
    }
    const bytes = new Uint8Array(10_000).map((_, index) => index % 256);
    await postJobResult(base, jobId, bytes);
    const detail = await getJson<{ result: { bytes: number; encoding: string; preview: string; truncated: boolean } }>(`${base}/_emulate/dashboard/data/jobs/${jobId}`);
    expect(detail.result).toMatchObject({ bytes: 10_000, encoding: "base64", truncated: true });
    expect(Buffer.from(detail.result.preview, "base64")).toEqual(Buffer.from(bytes.subarray(0, 4096)));
    const download = await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${jobId}/result`);
    expect(download.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(bytes));
  });

  it("cancels through the queue: a waiting sync execute wakes up at once", async () => {
    const token = await mintToken(base, "alice", []);
    // Drain what earlier tests left queued, so the sync job is the only one.
    for (const job of (await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?status=queued`)).data) {
      expect((await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${job.jobId}/cancel`, { method: "POST" })).status).toBe(200);
    }
    const started = performance.now();
    const execute = fetch(`${base}${contourBase}/deployed-apps/jobs/execute`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ deployedAppRid: "ri.foundry.main.deployed-app.agent-loop", queryType: "echo", query: { waiting: true } }),
    });
    let waiting: JobWire | undefined;
    while (!waiting) {
      waiting = (await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?status=queued`)).data[0];
      if (!waiting) await new Promise((done) => setTimeout(done, 20));
    }
    const canceled = await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${waiting.jobId}/cancel`, { method: "POST" });
    expect(canceled.status).toBe(200);
    expect(await canceled.json()).toMatchObject({ jobId: waiting.jobId, status: "canceled", failureName: "ModuleGroupMultiplexer:JobCanceled" });
    const answered = await execute;
    expect(answered.status).toBe(409);
    expect(await answered.json()).toMatchObject({ errorName: "ModuleGroupMultiplexer:JobCanceled" });
    expect(performance.now() - started).toBeLessThan(5000);

    // Canceling again is harmless; a finished job cannot be canceled; an unknown one is 404.
    expect((await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${waiting.jobId}/cancel`, { method: "POST" })).status).toBe(200);
    const succeeded = (await getJson<JobsPage>(`${base}/_emulate/dashboard/data/jobs?status=succeeded`)).data[0]!;
    const refused = await fetch(`${base}/_emulate/foundry/compute-modules/jobs/${succeeded.jobId}/cancel`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ errorName: "ComputeModules:JobAlreadyFinished" });
    expect((await fetch(`${base}/_emulate/foundry/compute-modules/jobs/nope/cancel`, { method: "POST" })).status).toBe(404);
  });
});

describe("dashboard with FOUNDRY_ADMIN_TOKEN", () => {
  const adminToken = "dashboard-admin-token";
  const admin = { Authorization: `Bearer ${adminToken}` };
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: adminToken } });
  });
  afterAll(() => emulator?.stop());

  it("serves the page and its script to anyone", async () => {
    const page = await fetch(`${emulator.baseUrl}/_emulate/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-admin-token-configured="true"');
    expect((await fetch(`${emulator.baseUrl}/_emulate/dashboard/dashboard.js`)).status).toBe(200);
  });

  // Every admin-read route of the access table (the shared walk covers the other kinds).
  const adminReads = routeAccessTable.filter((entry) => entry.access.kind === "admin-read");
  it("covers the dashboard's data, the journal and job results", () => {
    expect(adminReads.map((entry) => entry.path)).toEqual(
      expect.arrayContaining([
        "/_emulate/dashboard/data/jobs",
        "/_emulate/dashboard/data/jobs/:jobId",
        "/_emulate/requests",
        "/_emulate/foundry/compute-modules/jobs/:jobId/result",
      ]),
    );
  });

  it.each(adminReads.map((entry) => [entry.method, entry.path.replace(/:[A-Za-z]+/g, "x-placeholder")]))(
    "guards %s %s: 401 without the admin token or with a wrong one",
    async (_, path) => {
      const anonymous = await fetch(`${emulator.baseUrl}${path}`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized" });
      expect((await fetch(`${emulator.baseUrl}${path}`, { headers: { Authorization: "Bearer someone-elses-token" } })).status).toBe(401);
      expect([200, 404, 409]).toContain((await fetch(`${emulator.baseUrl}${path}`, { headers: admin })).status);
    },
  );

  it("guards the buttons: revoke and cancel need the admin token", async () => {
    const token = await mintToken(emulator.baseUrl, "alice", ["api:admin-read"], adminToken);
    const { data } = await getJson<{ data: TokenWire[] }>(`${emulator.baseUrl}/_emulate/dashboard/data/tokens?principal=alice`, admin);
    const tokenId = data[0]!.tokenId;
    expect((await fetch(`${emulator.baseUrl}/_emulate/foundry/tokens/${tokenId}/revoke`, { method: "POST" })).status).toBe(401);
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);
    expect((await fetch(`${emulator.baseUrl}/_emulate/foundry/tokens/${tokenId}/revoke`, { method: "POST", headers: admin })).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(401);

    const jobId = await submitJob(emulator.baseUrl, await mintToken(emulator.baseUrl, "bob", [], adminToken), { guarded: true });
    expect((await fetch(`${emulator.baseUrl}/_emulate/foundry/compute-modules/jobs/${jobId}/cancel`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${emulator.baseUrl}/_emulate/foundry/compute-modules/jobs/${jobId}/cancel`, { method: "POST", headers: admin })).status).toBe(200);
  });
});
