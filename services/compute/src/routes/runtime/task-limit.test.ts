import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { jobs, runtimes } from "@foundry-emulator/db";
import { mintAccessToken } from "../../../../../test/support/tokens";
import { startComputeEmulator, type ComputeEmulator } from "../../../../../test/compute/support/compute-emulator";
import { contourClient, openRuntime, pollJob, postResult, runtimesUrl, type RuntimeSession } from "../../../../../test/compute/support/compute-client";

/**
 * MAX_CONCURRENT_TASKS is enforced: a runtime is never handed more in-flight jobs than the limit
 * its session declared (or its seed gave it); a poll at capacity waits like one on an empty queue.
 */
const pollWaitMs = 1500;
let emulator: ComputeEmulator;
let contour: ReturnType<typeof contourClient>;
let counter = 0;

beforeAll(async () => {
  emulator = await startComputeEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: String(pollWaitMs) } });
  contour = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "alice" })).token);
});
afterAll(() => emulator?.stop());

async function freshRuntime(maxConcurrentTasks?: number): Promise<RuntimeSession & { rid: string }> {
  counter += 1;
  const rid = `ri.foundry.main.deployed-app.task-limit-${counter}`;
  const body = { runtimeId: `task-limit-${counter}`, deployedAppRid: rid, ...(maxConcurrentTasks === undefined ? {} : { maxConcurrentTasks }) };
  return { ...(await openRuntime(emulator.baseUrl, body)), rid };
}

async function submit(rid: string, index: number): Promise<string> {
  const response = await contour.submit({ deployedAppRid: rid, queryType: "work", query: { index } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

function inFlight(runtimeId: string): number {
  return emulator.platform.database
    .select()
    .from(jobs)
    .where(and(eq(jobs.runtimeId, runtimeId), eq(jobs.status, "inProgress")))
    .all().length;
}

/** "pending" when the promise has not settled after `ms` (the poll is being held), else its value. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<"pending">((done) => (timer = setTimeout(() => done("pending"), ms)));
  try {
    return await Promise.race([promise, pending]);
  } finally {
    clearTimeout(timer);
  }
}

const jobIdOf = (polled: Awaited<ReturnType<typeof pollJob>>) => polled.job?.computeModuleJobV1.jobId;

describe("the runtime session's maxConcurrentTasks", () => {
  it("is stored on the runtime row with what the module is handed, and replaced by a reset", async () => {
    const session = await freshRuntime(3);
    expect(session.environment.MAX_CONCURRENT_TASKS).toBe("3");
    const row = () => emulator.platform.database.select().from(runtimes).where(eq(runtimes.id, session.runtimeId)).get()!;
    expect(row().maxConcurrentTasks).toBe(3);
    const reset = await openRuntime(emulator.baseUrl, { runtimeId: session.runtimeId });
    expect(reset.environment.MAX_CONCURRENT_TASKS).toBe("1");
    expect(row().maxConcurrentTasks).toBe(1);
  });
});

describe("dispatch at capacity", () => {
  it("with a limit of 2 and three queued jobs hands out two, and holds the third poll until a result is posted", async () => {
    const session = await freshRuntime(2);
    const submitted = [await submit(session.rid, 0), await submit(session.rid, 1), await submit(session.rid, 2)];
    const first = await pollJob(session);
    const second = await pollJob(session);
    expect([jobIdOf(first), jobIdOf(second)]).toEqual(submitted.slice(0, 2));

    const third = pollJob(session);
    expect(await settledWithin(third, 200)).toBe("pending");
    expect(inFlight(session.runtimeId)).toBe(2);
    expect(emulator.platform.database.select().from(jobs).where(eq(jobs.id, submitted[2]!)).get()!.status).toBe("queued");

    expect((await postResult(session, submitted[0]!, "done")).status).toBe(204);
    const released = await third;
    expect(released.status).toBe(200);
    expect(jobIdOf(released)).toBe(submitted[2]);
    expect(inFlight(session.runtimeId)).toBe(2);
  });

  it("answers a poll at capacity 204 when the poll wait ends, leaving the queued job queued", async () => {
    const session = await freshRuntime(1);
    const running = await submit(session.rid, 0);
    const waiting = await submit(session.rid, 1);
    expect(jobIdOf(await pollJob(session))).toBe(running);
    const held = await pollJob(session);
    expect(held.status).toBe(204);
    expect(held.text).toBe("");
    expect(emulator.platform.database.select().from(jobs).where(eq(jobs.id, waiting)).get()!.status).toBe("queued");
  });

  it("wakes a held poll when a cancel or a restart notification frees a slot", async () => {
    const session = await freshRuntime(1);
    const ids = [await submit(session.rid, 0), await submit(session.rid, 1), await submit(session.rid, 2)];
    expect(jobIdOf(await pollJob(session))).toBe(ids[0]);

    const afterCancel = pollJob(session);
    expect(await settledWithin(afterCancel, 150)).toBe("pending");
    expect((await contour.cancel(ids[0]!)).status).toBe(204);
    expect(jobIdOf(await afterCancel)).toBe(ids[1]);

    const afterRestart = pollJob(session);
    expect(await settledWithin(afterRestart, 150)).toBe("pending");
    const restart = await fetch(session.restartNotificationUri, { method: "POST", headers: { "Module-Auth-Token": session.moduleAuthToken } });
    expect(await restart.json()).toEqual([ids[1]]);
    expect(jobIdOf(await afterRestart)).toBe(ids[2]);
  });

  it("enforces a seeded runtime's max_concurrent_tasks as the column holds it, and a change to it without a new session", async () => {
    const seeded = {
      getJobUri: `${runtimesUrl(emulator.baseUrl)}/agent-loop/job`,
      postResultUri: `${runtimesUrl(emulator.baseUrl)}/agent-loop/results`,
      moduleAuthToken: "local-module-auth-token",
    };
    emulator.platform.database.update(runtimes).set({ maxConcurrentTasks: 1 }).where(eq(runtimes.id, "agent-loop")).run();
    const ids = [await submit("ri.foundry.main.deployed-app.agent-loop", 0), await submit("ri.foundry.main.deployed-app.agent-loop", 1)];
    expect(jobIdOf(await pollJob(seeded))).toBe(ids[0]);
    const held = pollJob(seeded);
    expect(await settledWithin(held, 150)).toBe("pending");
    // What a seed applied at run time does: the limit changes, the token stays.
    emulator.platform.database.update(runtimes).set({ maxConcurrentTasks: 2 }).where(eq(runtimes.id, "agent-loop")).run();
    const next = await pollJob(seeded);
    expect(jobIdOf(next)).toBe(ids[1]);
    expect(inFlight("agent-loop")).toBe(2);
    await held; // ends with the poll wait (204): nothing is left to hand out
    for (const id of ids) expect((await postResult(seeded, id, "ok")).status).toBe(204);
  });

  it("never exceeds the limit with many pollers at once, and drains the queue as results arrive", async () => {
    const session = await freshRuntime(3);
    const ids = await Promise.all(Array.from({ length: 7 }, (_, index) => submit(session.rid, index)));
    const handled: string[] = [];
    let peak = 0;
    // Eight pollers that answer each job they get, as a module with too many workers would.
    const worker = async () => {
      while (handled.length < ids.length) {
        const polled = await pollJob(session);
        const jobId = jobIdOf(polled);
        if (!jobId) continue;
        peak = Math.max(peak, inFlight(session.runtimeId));
        await new Promise((done) => setTimeout(done, 20));
        handled.push(jobId);
        expect((await postResult(session, jobId, "ok")).status).toBe(204);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // The last job's result releases no one: end the other workers' waits with a reset.
    await vi.waitFor(() => expect(handled).toHaveLength(ids.length), { timeout: 10_000, interval: 10 });
    await openRuntime(emulator.baseUrl, { runtimeId: session.runtimeId });
    await Promise.all(workers);
    expect(handled.sort()).toEqual([...ids].sort());
    expect(peak).toBe(3);
  });
});
