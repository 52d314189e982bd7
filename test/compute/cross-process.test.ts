import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { jobs } from "@foundry-emulator/db";
import { freePort, startEmulatorProcess, type EmulatorProcess } from "../support/emulator";
import { mintAccessToken } from "../support/tokens";
import { startComputeEmulator, type ComputeEmulator } from "./support/compute-emulator";
import { contourClient, openRuntime, pollJob, postResult, type RuntimeSession } from "./support/compute-client";

/**
 * Two emulators sharing one database file: this process (A) and a separate `npm start` process
 * (B). A job queued in one must reach a poll waiting in the other within 100 ms, and dispatch must
 * stay atomic across processes.
 */
let first: ComputeEmulator;
let second: EmulatorProcess;
let token: string;
let counter = 0;

const environment = { FOUNDRY_JOB_POLL_WAIT_MS: "5000", FOUNDRY_SYNC_EXECUTE_TIMEOUT_MS: "10000" };

beforeAll(async () => {
  first = await startComputeEmulator({ environment });
  second = await startEmulatorProcess({
    port: await freePort(),
    environment: { ...environment, FOUNDRY_DB: first.databasePath, FOUNDRY_PUBLIC_URL: first.baseUrl, LOG_LEVEL: "silent" },
  });
  token = (await mintAccessToken(first.platform)).token;
});
afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

/** The session's URIs, pointed at another process's listener. */
function via(session: RuntimeSession, baseUrl: string): RuntimeSession {
  const swap = (uri: string) => uri.replace(first.baseUrl, baseUrl);
  return { ...session, getJobUri: swap(session.getJobUri), postResultUri: swap(session.postResultUri) };
}

async function freshApp(options: { maxConcurrentTasks?: number } = {}) {
  counter += 1;
  const rid = `ri.foundry.main.deployed-app.cross-${counter}`;
  return { session: await openRuntime(first.baseUrl, { runtimeId: `cross-${counter}`, deployedAppRid: rid, ...options }), rid };
}

function median(values: number[]) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

describe("two processes sharing the database", () => {
  for (const direction of ["queued in the other process, polled here", "queued here, polled in the other process"] as const) {
    it(`wakes a waiting poll within 100 ms of a job ${direction}`, async () => {
      const pollHere = direction.startsWith("queued in the other");
      const latencies: number[] = [];
      for (let trial = 0; trial < 3; trial += 1) {
        const { session, rid } = await freshApp();
        const poller = pollHere ? session : via(session, second.baseUrl);
        const submitter = contourClient(pollHere ? second.baseUrl : first.baseUrl, token);
        const poll = pollJob(poller).then((result) => ({ result, at: performance.now() }));
        await new Promise((done) => setTimeout(done, 150)); // the poll is waiting
        const response = await submitter.submit({ deployedAppRid: rid, queryType: "q", query: { trial } });
        const committedBy = performance.now(); // the submit answered, so its commit is done
        const jobId = ((await response.json()) as { id: string }).id;
        const { result, at } = await poll;
        expect(result.status).toBe(200);
        expect(result.job!.computeModuleJobV1.jobId).toBe(jobId);
        latencies.push(at - committedBy);
      }
      expect(median(latencies)).toBeLessThan(100);
    });
  }

  it("wakes a sync execute waiting here when the result is posted to the other process", async () => {
    const { session, rid } = await freshApp();
    const execution = contourClient(first.baseUrl, token).execute({ deployedAppRid: rid, queryType: "q", query: {} });
    const polled = await pollJob(via(session, second.baseUrl));
    const jobId = polled.job!.computeModuleJobV1.jobId;
    const posted = performance.now();
    expect((await postResult(via(session, second.baseUrl), jobId, Buffer.from([1, 2, 3]))).status).toBe(204);
    const response = await execution;
    expect(performance.now() - posted).toBeLessThan(150);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from([1, 2, 3]))).toBe(true);
  });

  it("never hands one job to two pollers, even across processes", async () => {
    const { session, rid } = await freshApp({ maxConcurrentTasks: 12 });
    const pollers = [...Array.from({ length: 6 }, () => pollJob(session)), ...Array.from({ length: 6 }, () => pollJob(via(session, second.baseUrl)))];
    await new Promise((done) => setTimeout(done, 150));
    const clients = [contourClient(first.baseUrl, token), contourClient(second.baseUrl, token)];
    const submitted = await Promise.all(
      Array.from(
        { length: 10 },
        async (_, index) => ((await (await clients[index % 2]!.submit({ deployedAppRid: rid, queryType: "q", query: { index } })).json()) as { id: string }).id,
      ),
    );
    // Two pollers are left without a job; end their wait early with jobs of their own.
    const extra = await Promise.all(
      [0, 1].map(async () => ((await (await clients[0]!.submit({ deployedAppRid: rid, queryType: "extra", query: {} })).json()) as { id: string }).id),
    );
    const results = await Promise.all(pollers);
    const dispatched = results.map((result) => result.job?.computeModuleJobV1.jobId);
    expect(dispatched.every((jobId) => jobId !== undefined)).toBe(true);
    expect(new Set(dispatched).size).toBe(12);
    expect([...dispatched].sort()).toEqual([...submitted, ...extra].sort());
    const rows = first.platform.database.select().from(jobs).where(eq(jobs.runtimeId, session.runtimeId)).all();
    expect(rows.every((row) => row.status === "inProgress" && row.attempts === 1)).toBe(true);
  });

  it("keeps a runtime's max concurrent tasks across processes, and a result posted in either frees a slot", async () => {
    const { session, rid } = await freshApp({ maxConcurrentTasks: 2 });
    const answered: string[] = [];
    const pollers = [session, session, session, via(session, second.baseUrl), via(session, second.baseUrl), via(session, second.baseUrl)].map((poller) =>
      pollJob(poller).then((result) => {
        if (result.job) answered.push(result.job.computeModuleJobV1.jobId);
        return result;
      }),
    );
    await new Promise((done) => setTimeout(done, 150));
    const clients = [contourClient(first.baseUrl, token), contourClient(second.baseUrl, token)];
    const submitted = await Promise.all(
      Array.from(
        { length: 4 },
        async (_, index) => ((await (await clients[index % 2]!.submit({ deployedAppRid: rid, queryType: "q", query: { index } })).json()) as { id: string }).id,
      ),
    );
    const inProgress = () =>
      first.platform.database
        .select()
        .from(jobs)
        .where(and(eq(jobs.runtimeId, session.runtimeId), eq(jobs.status, "inProgress")))
        .all().length;
    await vi.waitFor(() => expect(answered).toHaveLength(2), { timeout: 2000, interval: 10 });
    await new Promise((done) => setTimeout(done, 200)); // time for a wrong third dispatch to show
    expect(answered).toHaveLength(2);
    expect(inProgress()).toBe(2);

    // A result posted to the other process wakes a poll held in either.
    expect((await postResult(via(session, second.baseUrl), answered[0]!, "done")).status).toBe(204);
    await vi.waitFor(() => expect(answered).toHaveLength(3), { timeout: 2000, interval: 10 });
    await new Promise((done) => setTimeout(done, 200));
    expect(answered).toHaveLength(3);
    expect(inProgress()).toBe(2);
    expect(new Set(answered).size).toBe(3);
    expect(answered.every((jobId) => submitted.includes(jobId))).toBe(true);

    // The three polls still held end when the session is reset.
    await openRuntime(first.baseUrl, { runtimeId: session.runtimeId });
    expect((await Promise.all(pollers)).map((result) => result.status).sort()).toEqual([200, 200, 200, 401, 401, 401]);
  });
});
