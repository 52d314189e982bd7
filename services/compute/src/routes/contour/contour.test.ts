import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { userIdFor } from "@foundry-emulator/config";
import { accessTokens, deployedApps, jobs } from "@foundry-emulator/db";
import { mintAccessToken, revokeAccessToken } from "../../../../../test/support/tokens";
import { startComputeEmulator, type ComputeEmulator } from "../../../../../test/compute/support/compute-emulator";
import { bytesOf, contourClient, multiplexerUrl, openRuntime, pollJob, postResult, type RuntimeSession } from "../../../../../test/compute/support/compute-client";

let emulator: ComputeEmulator;
let alice: ReturnType<typeof contourClient>;
let bob: ReturnType<typeof contourClient>;
let counter = 0;

beforeAll(async () => {
  emulator = await startComputeEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: "300", FOUNDRY_MAX_BODY_BYTES: String(64 * 1024) } });
  alice = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "alice" })).token);
  bob = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "bob" })).token);
});
afterAll(() => emulator?.stop());

async function freshApp(target: ComputeEmulator = emulator): Promise<RuntimeSession & { rid: string }> {
  counter += 1;
  const rid = `ri.foundry.main.deployed-app.contour-test-${counter}`;
  return { ...(await openRuntime(target.baseUrl, { runtimeId: `contour-test-${counter}`, deployedAppRid: rid })), rid };
}

async function errorOf(response: Response) {
  return (await response.json()) as { errorCode: string; errorName: string; errorInstanceId: string; parameters: Record<string, unknown>; errorDescription?: string };
}

type Job = { id: string; status: { type: string } & Record<string, unknown> };

async function submitJob(client: ReturnType<typeof contourClient>, rid: string, query: unknown = {}): Promise<Job> {
  const response = await client.submit({ deployedAppRid: rid, deployedAppBranch: "master", queryType: "work", query });
  expect(response.status).toBe(200);
  return (await response.json()) as Job;
}

function jobRow(target: ComputeEmulator, jobId: string) {
  return target.platform.database.select().from(jobs).where(eq(jobs.id, jobId)).get();
}

describe("authentication", () => {
  it("answers 401 Default:Unauthorized without a token, with a bad, revoked, or inactive user's token", async () => {
    const app = await freshApp();
    const revoked = await mintAccessToken(emulator.platform, { username: "alice" });
    revokeAccessToken(emulator.platform, revoked.tokenId);
    const inactive = await mintAccessToken(emulator.platform, { username: "carol.inactive" });
    for (const token of [undefined, "not-a-token", `${revoked.token.slice(0, -2)}xx`, revoked.token, inactive.token]) {
      const client = contourClient(emulator.baseUrl, token);
      for (const response of [
        await client.submit({ deployedAppRid: app.rid, queryType: "q", query: {} }),
        await client.execute({ deployedAppRid: app.rid, queryType: "q", query: {} }),
        await client.status("00000000-0000-4000-8000-000000000000"),
        await client.cancel("00000000-0000-4000-8000-000000000000"),
        await client.schemas(app.rid),
      ]) {
        expect(response.status).toBe(401);
        expect(await errorOf(response)).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized" });
      }
    }
    expect(emulator.platform.database.select().from(jobs).where(eq(jobs.runtimeId, app.runtimeId)).all()).toHaveLength(0);
  });
});

describe("browser apps", () => {
  it("answers the CORS preflight of a cross-origin call", async () => {
    const response = await fetch(`${multiplexerUrl(emulator.baseUrl)}/jobs/result/v2`, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type,fetch-user-agent" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(response.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });
});

describe("bad requests", () => {
  it("answers 404 for an unknown deployed app or branch, 409 for an inactive binding", async () => {
    const app = await freshApp();
    const unknown = await alice.submit({ deployedAppRid: "ri.foundry.main.deployed-app.nope", queryType: "q", query: {} });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({
      errorCode: "NOT_FOUND",
      errorName: "ModuleGroupMultiplexer:DeployedAppNotFound",
      parameters: { deployedAppRid: "ri.foundry.main.deployed-app.nope", deployedAppBranch: "master" },
    });
    const branch = await alice.execute({ deployedAppRid: app.rid, deployedAppBranch: "feature", queryType: "q", query: {} });
    expect(branch.status).toBe(404);

    emulator.platform.database.update(deployedApps).set({ active: false }).where(eq(deployedApps.rid, app.rid)).run();
    for (const response of [
      await alice.submit({ deployedAppRid: app.rid, queryType: "q", query: {} }),
      await alice.execute({ deployedAppRid: app.rid, queryType: "q", query: {} }),
    ]) {
      expect(response.status).toBe(409);
      expect(await errorOf(response)).toMatchObject({ errorCode: "CONFLICT", errorName: "ModuleGroupMultiplexer:DeployedAppNotActive" });
    }
    expect(emulator.platform.database.select().from(jobs).where(eq(jobs.runtimeId, app.runtimeId)).all()).toHaveLength(0);
  });

  it("answers 400 INVALID_ARGUMENT for bad JSON or the wrong shape, 413 for a body too large — never 500, nothing stored", async () => {
    const app = await freshApp();
    const bodies = [
      "",
      "{",
      "null",
      "[]",
      JSON.stringify({ queryType: "q", query: {} }),
      JSON.stringify({ deployedAppRid: app.rid, query: {} }),
      JSON.stringify({ deployedAppRid: app.rid, queryType: "q" }),
      JSON.stringify({ deployedAppRid: 42, queryType: "q", query: {} }),
      JSON.stringify({ deployedAppRid: app.rid, queryType: "", query: {} }),
      JSON.stringify({ deployedAppRid: app.rid, deployedAppBranch: 7, queryType: "q", query: {} }),
    ];
    for (const body of bodies) {
      for (const path of ["/deployed-apps/jobs", "/compute-modules/jobs/execute"]) {
        const response = await alice.raw("POST", path, body);
        expect(response.status, `${path} ${body}`).toBe(400);
        expect((await errorOf(response)).errorCode).toBe("INVALID_ARGUMENT");
      }
    }
    const large = await alice.submit({ deployedAppRid: app.rid, queryType: "q", query: { blob: "x".repeat(70 * 1024) } });
    expect(large.status).toBe(413);
    expect((await errorOf(large)).errorCode).toBe("REQUEST_ENTITY_TOO_LARGE");
    for (const body of ["{", "42", "{}"]) {
      const response = await alice.raw("PUT", "/jobs/result/v2", body);
      expect(response.status, body).toBe(400);
    }
    expect(emulator.platform.database.select().from(jobs).where(eq(jobs.runtimeId, app.runtimeId)).all()).toHaveLength(0);
  });
});

describe("async jobs", () => {
  it("goes queued → inProgress → succeeded, with the result as raw bytes by id or by Job", async () => {
    const app = await freshApp();
    const job = await submitJob(alice, app.rid, { x: 1 });
    expect(job).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), moduleId: app.runtimeId, status: { type: "queued", queued: { queueInfo: "SCALING_UP_FROM_0" } } });
    expect(await (await alice.status(job.id)).json()).toEqual({ type: "queued", queued: { queueInfo: "SCALING_UP_FROM_0" } });

    const early = await alice.result(job.id);
    expect(early.status).toBe(409);
    expect(await errorOf(early)).toMatchObject({ errorName: "ModuleGroupMultiplexer:JobNotFinished", parameters: { jobId: job.id, status: "queued" } });

    const polled = await pollJob(app);
    expect(polled.job!.computeModuleJobV1).toMatchObject({ jobId: job.id, query: { x: 1 }, userId: userIdFor("alice") });
    expect(await (await alice.status(job.id)).json()).toEqual({ type: "inProgress", inProgress: { completedTasks: 0 } });
    expect(await (await alice.statusV2(job)).json()).toEqual({ type: "inProgress", inProgress: { completedTasks: 0 } });
    expect((await alice.resultV2(job)).status).toBe(409);

    const payload = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x0a]);
    expect((await postResult(app, job.id, payload)).status).toBe(204);
    expect(await (await alice.status(job.id)).json()).toEqual({ type: "succeeded", succeeded: { intermediateJobInfoList: [] } });
    for (const response of [await alice.result(job.id), await alice.resultV2(job), await alice.resultV2(job.id)]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect((await bytesOf(response)).equals(payload)).toBe(true);
    }
  });

  it("says NORMAL_OPERATION for a job queued on a runtime that is being polled", async () => {
    const app = await freshApp();
    await pollJob(app); // 204 after the poll wait; the runtime has now been seen
    const job = await submitJob(alice, app.rid);
    expect(job.status).toEqual({ type: "queued", queued: { queueInfo: "NORMAL_OPERATION" } });
  });

  it("lets only the submitter see a job: 403 for another principal, 404 for an unknown job", async () => {
    const app = await freshApp();
    const job = await submitJob(alice, app.rid);
    for (const response of [await bob.status(job.id), await bob.statusV2(job), await bob.result(job.id), await bob.resultV2(job), await bob.cancel(job.id)]) {
      expect(response.status).toBe(403);
      expect(await errorOf(response)).toMatchObject({ errorCode: "PERMISSION_DENIED", errorName: "Contour:InsufficientPermission", parameters: { jobId: job.id } });
    }
    expect(jobRow(emulator, job.id)!.status).toBe("queued");
    const unknown = await alice.status("6f1c2d3e-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ errorCode: "NOT_FOUND", errorName: "ModuleGroupMultiplexer:JobNotFound" });
    // The same principal through another token (another client) is still the submitter.
    const aliceAgain = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "alice", clientId: "public-app" })).token);
    expect((await aliceAgain.status(job.id)).status).toBe(200);
  });

  it("cancels a queued job (never dispatched) or a running one (its late result refused); a finished job stays finished", async () => {
    const app = await freshApp();
    const queued = await submitJob(alice, app.rid);
    expect((await alice.cancel(queued.id)).status).toBe(204);
    const status = (await (await alice.status(queued.id)).json()) as { type: string; canceled: { exception: Record<string, unknown> } };
    expect(status.type).toBe("canceled");
    expect(status.canceled.exception).toMatchObject({
      errorType: { code: "CUSTOM_CLIENT", name: "ModuleGroupMultiplexer:JobCanceled" },
      message: "Canceled by the submitter.",
      args: [{ type: "safe", safe: { key: "jobId", value: queued.id } }],
    });
    expect((await pollJob(app)).status).toBe(204);
    const canceledResult = await alice.result(queued.id);
    expect(canceledResult.status).toBe(409);
    expect((await errorOf(canceledResult)).errorName).toBe("ModuleGroupMultiplexer:JobCanceled");

    const running = await submitJob(alice, app.rid);
    expect((await pollJob(app)).job!.computeModuleJobV1.jobId).toBe(running.id);
    expect((await alice.cancel(running.id)).status).toBe(204);
    expect((await postResult(app, running.id, "late")).status).toBe(409);

    const done = await submitJob(alice, app.rid);
    await pollJob(app);
    await postResult(app, done.id, "done");
    expect((await alice.cancel(done.id)).status).toBe(204);
    expect(jobRow(emulator, done.id)!.status).toBe("succeeded");
  });
});

describe("sync execute", () => {
  it("abandons the wait cleanly when the caller disconnects: a job no module took is canceled", async () => {
    const app = await freshApp();
    const controller = new AbortController();
    const execution = alice.execute({ deployedAppRid: app.rid, queryType: "q", query: {} }, controller.signal).catch((error: Error) => error);
    await vi.waitFor(() => expect(emulator.platform.database.select().from(jobs).where(eq(jobs.runtimeId, app.runtimeId)).all()).toHaveLength(1));
    controller.abort();
    expect(await execution).toBeInstanceOf(Error);
    const [job] = emulator.platform.database.select().from(jobs).where(eq(jobs.runtimeId, app.runtimeId)).all();
    await vi.waitFor(() => expect(jobRow(emulator, job!.id)!.status).toBe("canceled"), { timeout: 2000, interval: 10 });
    expect(jobRow(emulator, job!.id)!.failureMessage).toContain("disconnected");
    expect((await pollJob(app)).status).toBe(204);
  });

  it("lets a job a module already took finish after the caller disconnects", async () => {
    const app = await freshApp();
    const controller = new AbortController();
    const execution = alice.execute({ deployedAppRid: app.rid, queryType: "q", query: {} }, controller.signal).catch((error: Error) => error);
    const polled = await pollJob(app);
    controller.abort();
    await execution;
    await new Promise((done) => setTimeout(done, 20));
    const jobId = polled.job!.computeModuleJobV1.jobId;
    expect(jobRow(emulator, jobId)!.status).toBe("inProgress");
    expect((await postResult(app, jobId, "kept")).status).toBe(204);
    expect(await (await alice.result(jobId)).text()).toBe("kept");
  });

  it("times out with 500 TIMEOUT ModuleGroupMultiplexer:SyncExecuteTimedOut; an untaken job is canceled, a taken one keeps running", async () => {
    const quick = await startComputeEmulator({ environment: { FOUNDRY_SYNC_EXECUTE_TIMEOUT_MS: "300", FOUNDRY_JOB_POLL_WAIT_MS: "2000" } });
    try {
      const client = contourClient(quick.baseUrl, (await mintAccessToken(quick.platform)).token);
      const app = await freshApp(quick);
      const started = performance.now();
      const response = await client.execute({ deployedAppRid: app.rid, queryType: "q", query: {} });
      expect(performance.now() - started).toBeGreaterThanOrEqual(295);
      expect(response.status).toBe(500);
      const error = await errorOf(response);
      expect(error).toMatchObject({ errorCode: "TIMEOUT", errorName: "ModuleGroupMultiplexer:SyncExecuteTimedOut", parameters: { timeoutMillis: 300 } });
      expect(jobRow(quick, error.parameters.jobId as string)!.status).toBe("canceled");

      const taken = client.execute({ deployedAppRid: app.rid, queryType: "q", query: {} });
      const polled = await pollJob(app);
      const timedOut = await taken;
      expect(timedOut.status).toBe(500);
      const jobId = (await errorOf(timedOut)).parameters.jobId as string;
      expect(jobId).toBe(polled.job!.computeModuleJobV1.jobId);
      expect(jobRow(quick, jobId)!.status).toBe("inProgress");
      await postResult(app, jobId, "eventually");
      expect(await (await client.result(jobId)).text()).toBe("eventually");
    } finally {
      await quick.stop();
    }
  });

  it("answers the module's bytes even for an error object, and an envelope when the runtime failed the job", async () => {
    const app = await freshApp();
    const execution = alice.execute({ deployedAppRid: app.rid, queryType: "q", query: {} });
    const jobId = (await pollJob(app)).job!.computeModuleJobV1.jobId;
    await postResult(app, jobId, '{"error":"Error","reason":"bad input"}');
    const response = await execution;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"error":"Error","reason":"bad input"}');
    expect(jobRow(emulator, jobId)).toMatchObject({ status: "failed", failureName: "ComputeModules:ModuleReportedError", failureMessage: "Error: bad input" });
  });
});

describe("leases", () => {
  let leased: ComputeEmulator;
  let client: ReturnType<typeof contourClient>;
  beforeAll(async () => {
    leased = await startComputeEmulator({ environment: { FOUNDRY_JOB_LEASE_MS: "300", FOUNDRY_JOB_MAX_ATTEMPTS: "2", FOUNDRY_JOB_POLL_WAIT_MS: "2000" } });
    client = contourClient(leased.baseUrl, (await mintAccessToken(leased.platform)).token);
  });
  afterAll(() => leased?.stop());

  it("re-queues a job whose result does not arrive within the lease, then fails it after the last attempt", async () => {
    const app = await freshApp(leased);
    const execution = client.execute({ deployedAppRid: app.rid, queryType: "q", query: {} });
    const first = await pollJob(app);
    const jobId = first.job!.computeModuleJobV1.jobId;
    const dispatchedAt = performance.now();
    const second = await pollJob(app); // woken by the re-queue when the lease expires
    expect(second.job!.computeModuleJobV1.jobId).toBe(jobId);
    expect(performance.now() - dispatchedAt).toBeGreaterThanOrEqual(280);
    expect(second.job!.computeModuleJobV1.authHeader).not.toBe(first.job!.computeModuleJobV1.authHeader);
    expect(jobRow(leased, jobId)).toMatchObject({ status: "inProgress", attempts: 2 });

    const response = await execution; // the second lease expires: no attempts left
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({ errorName: "ModuleGroupMultiplexer:JobFailed", parameters: { jobId, failure: "ComputeModules:JobLeaseExpired" } });
    const status = (await (await client.status(jobId)).json()) as { type: string; failed: { exception: { message: string } } };
    expect(status.type).toBe("failed");
    expect(status.failed.exception.message).toContain("2 attempt(s)");
  });

  it("still takes the late result of an earlier attempt (the first result wins)", async () => {
    const app = await freshApp(leased);
    const job = await submitJob(client, app.rid);
    await pollJob(app);
    await vi.waitFor(() => expect(jobRow(leased, job.id)!.status).toBe("queued"), { timeout: 2000, interval: 10 });
    expect((await postResult(app, job.id, "late but first")).status).toBe(204);
    expect(jobRow(leased, job.id)).toMatchObject({ status: "succeeded", attempts: 1, leaseExpiresAt: null });
  });
});

describe("retention", () => {
  it("treats a finished job past the retention as gone and removes it with its token", async () => {
    let clock = Date.now();
    const timed = await startComputeEmulator({ now: () => clock, environment: { FOUNDRY_JOB_RETENTION_SECONDS: "60", FOUNDRY_JOB_POLL_WAIT_MS: "300" } });
    try {
      const client = contourClient(timed.baseUrl, (await mintAccessToken(timed.platform, { ttlSeconds: 3600 })).token);
      const app = await freshApp(timed);
      const job = await submitJob(client, app.rid);
      await pollJob(app);
      await postResult(app, job.id, "kept for a minute");
      const tokenId = jobRow(timed, job.id)!.dispatchTokenId!;
      clock += 59_000;
      expect(await (await client.result(job.id)).text()).toBe("kept for a minute");
      clock += 2_000;
      const gone = await client.status(job.id);
      expect(gone.status).toBe(404);
      expect((await errorOf(gone)).errorName).toBe("ModuleGroupMultiplexer:JobNotFound");
      expect(jobRow(timed, job.id)).toBeUndefined();
      expect(timed.platform.database.select().from(accessTokens).where(eq(accessTokens.id, tokenId)).get()).toBeUndefined();
    } finally {
      await timed.stop();
    }
  });

  it("sweeps finished jobs on its own, and never removes unfinished ones", async () => {
    const swept = await startComputeEmulator({ environment: { FOUNDRY_JOB_RETENTION_SECONDS: "1", FOUNDRY_JOB_LEASE_MS: "60000", FOUNDRY_JOB_POLL_WAIT_MS: "300" } });
    try {
      const client = contourClient(swept.baseUrl, (await mintAccessToken(swept.platform)).token);
      const app = await freshApp(swept);
      const finished = await submitJob(client, app.rid);
      await pollJob(app);
      await postResult(app, finished.id, "short-lived");
      const waiting = await submitJob(client, app.rid);
      expect(jobRow(swept, finished.id)).toBeDefined();
      await vi.waitFor(() => expect(jobRow(swept, finished.id)).toBeUndefined(), { timeout: 5000, interval: 50 });
      expect(jobRow(swept, waiting.id)!.status).toBe("queued");
      expect(
        swept.platform.database
          .select()
          .from(jobs)
          .where(and(eq(jobs.runtimeId, app.runtimeId)))
          .all(),
      ).toHaveLength(1);
    } finally {
      await swept.stop();
    }
  });
});

describe("schemas on the contour side", () => {
  it("lists the functions a deployed app's module posted, by path or by query", async () => {
    const app = await freshApp();
    await fetch(app.postSchemaUri, {
      method: "POST",
      headers: { "Module-Auth-Token": app.moduleAuthToken, "Content-Type": "application/json" },
      body: JSON.stringify([{ functionName: "f", inputs: [], output: { type: "single", single: { dataType: { type: "string" } } } }]),
    });
    const expected = [{ functionName: "f", inputs: [], output: { type: "single", single: { dataType: { type: "string" } } }, issues: [] }];
    expect(await (await alice.schemas(app.rid)).json()).toEqual(expected);
    expect(await (await alice.raw("GET", `/schemas?rid=${app.rid}&branch=master`)).json()).toEqual(expected);
    expect((await alice.schemas("ri.foundry.main.deployed-app.unknown")).status).toBe(404);
    expect((await fetch(`${multiplexerUrl(emulator.baseUrl)}/schemas`, { headers: { Authorization: "Bearer x" } })).status).toBe(401);
  });
});
