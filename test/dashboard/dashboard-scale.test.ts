// The dashboard with 100,000 jobs (and as many access tokens): every job filter shape walks an index (no table scan, no sort of
// the whole table), and each page answers in milliseconds through HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobListQuery, type JobFilters } from "../../services/compute/src/routes/control/job-listing";
import { startEmulator, type TestEmulator } from "../support/emulator";

const jobCount = 100_000;
const statuses = ["succeeded", "succeeded", "succeeded", "failed", "canceled", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded"];

describe("100,000 jobs and tokens", () => {
  let emulator: TestEmulator;
  let someJobId = "";
  beforeAll(async () => {
    emulator = await startEmulator();
    const client = emulator.platform.database.$client;
    const insert = client.prepare(
      `INSERT INTO jobs (id, runtime_id, deployed_app_rid, deployed_app_branch, query_type, query, submitted_by, status, attempts, created_at, dispatched_at, finished_at, result)
       VALUES (?, ?, 'ri.foundry.main.deployed-app.agent-loop', 'master', 'echo', ?, ?, ?, 1, ?, ?, ?, ?)`,
    );
    const alice = (client.prepare("SELECT id FROM principals WHERE username = 'alice'").get() as { id: string }).id;
    const started = Date.now() - jobCount * 10;
    client.transaction(() => {
      for (let index = 0; index < jobCount; index += 1) {
        // A few hundred jobs still queued or running, on a second runtime for one in three.
        const status = index % 997 === 0 ? "queued" : index % 499 === 0 ? "inProgress" : statuses[index % statuses.length]!;
        const finished = status === "queued" || status === "inProgress" ? null : started + index * 10 + 5;
        const id = crypto.randomUUID();
        if (index === 12_345) someJobId = id;
        insert.run(
          id,
          index % 3 ? "agent-loop" : "batch-runtime",
          JSON.stringify({ index }),
          alice,
          status,
          started + index * 10,
          status === "queued" ? null : started + index * 10 + 1,
          finished,
          finished === null ? null : Buffer.from(`result ${index}`),
        );
      }
    })();
    // And 100,000 access tokens (one per dispatched job, as the queue mints them): half expired.
    const token = client.prepare("INSERT INTO access_tokens (id, kind, principal_id, client_id, scopes, issued_at, expires_at) VALUES (?, 'oauth', ?, ?, '[]', ?, ?)");
    const now = Date.now();
    client.transaction(() => {
      for (let index = 0; index < jobCount; index += 1) {
        token.run(crypto.randomUUID(), alice, index % 100 ? "service-app" : "confidential-app", now - 7_200_000 + index * 10, now + (index % 2 ? 3_600_000 : -3_600_000) + index);
      }
    })();
  }, 60_000);
  afterAll(() => emulator?.stop());

  const shapes: Array<[string, JobFilters]> = [
    ["no filter", { limit: 50 }],
    ["no filter, a later page", { limit: 50, before: 50_000 }],
    ["status", { limit: 50, status: "queued" }],
    ["status, a later page", { limit: 50, status: "succeeded", before: 70_000 }],
    ["runtime", { limit: 50, runtimeId: "batch-runtime" }],
    ["runtime, a later page", { limit: 50, runtimeId: "agent-loop", before: 30_000 }],
    ["runtime and status", { limit: 50, runtimeId: "agent-loop", status: "inProgress" }],
    ["job id", { limit: 50, jobId: "00000000-0000-0000-0000-000000000000" }],
  ];

  it.each(shapes)("%s: walks an index, never scans jobs", (_, filters) => {
    const { sql, parameters } = jobListQuery(filters);
    const plan = (emulator.platform.database.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(parameters) as Array<{ detail: string }>).map((row) => row.detail);
    const onJobs = plan.filter((detail) => /\b(jobs|j)\b/.test(detail) && !/^(SCAN|SEARCH) (page|p)\b/.test(detail));
    expect(onJobs.length, plan.join("\n")).toBeGreaterThan(0);
    for (const detail of onJobs) expect(detail, plan.join("\n")).toMatch(/^SEARCH j USING (INTEGER PRIMARY KEY|INDEX|COVERING INDEX)/);
    // Sorts only ever order a page per arm (each arm is a LIMITed walk), never the table: one arm
    // per status when only the runtime is given, one otherwise.
    const arms = filters.runtimeId !== undefined && filters.status === undefined && filters.jobId === undefined ? 5 : 1;
    expect(plan.filter((detail) => detail.includes("TEMP B-TREE")).length, plan.join("\n")).toBeLessThanOrEqual(arms);
  });

  it("answers each page, filter and count in milliseconds through HTTP", async () => {
    const urls = [
      "/_emulate/dashboard/data/jobs",
      "/_emulate/dashboard/data/jobs?status=queued",
      "/_emulate/dashboard/data/jobs?status=succeeded&cursor=60000",
      "/_emulate/dashboard/data/jobs?runtime=batch-runtime",
      "/_emulate/dashboard/data/jobs?runtime=agent-loop&status=failed",
      `/_emulate/dashboard/data/jobs?jobId=${someJobId}`,
      `/_emulate/dashboard/data/jobs/${someJobId}`,
      // What the page reads besides jobs and tokens (the overview it read before, from each owner).
      "/_emulate/foundry/compute-modules/runtimes",
      "/_emulate/foundry/compute-modules/deployed-apps",
      "/_emulate/foundry/principals",
      "/_emulate/foundry/oauth-clients",
      "/_emulate/foundry/personal-tokens",
      "/_emulate/dashboard/data/tokens",
      "/_emulate/dashboard/data/tokens?client=confidential-app&principal=alice",
    ];
    for (const url of urls) await fetch(`${emulator.baseUrl}${url}`); // warm the statement cache
    for (const url of urls) {
      const started = performance.now();
      const response = await fetch(`${emulator.baseUrl}${url}`);
      const body = (await response.json()) as { data?: unknown[]; counts?: { total: number; queued: number; inProgress: number } };
      const elapsed = performance.now() - started;
      expect(response.status, url).toBe(200);
      expect(elapsed, url).toBeLessThan(150);
      if (body.counts) expect(body.counts.total).toBe(jobCount);
    }
    const page = (await (await fetch(`${emulator.baseUrl}/_emulate/dashboard/data/jobs?status=queued&limit=500`)).json()) as {
      data: Array<{ status: string }>;
      counts: { queued: number };
    };
    expect(page.data.length).toBe(page.counts.queued);
    expect(page.data.every((job) => job.status === "queued")).toBe(true);
  });
});
