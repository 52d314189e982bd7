// The unmodified Python compute-module SDK (compute_modules, ../shared/python-clients) as judge:
// test/python/modules/example_module.py runs with exactly the environment a runtime session hands
// out (HTTPS runtime, CA files, module token file, MAX_CONCURRENT_TASKS...), nothing added, and an
// application calls it through the contour routes with a client_credentials token.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { jobs } from "@foundry-emulator/db";
import { repositoryRoot } from "../support/emulator";
import { assertPythonReady, startPython, type PythonProcess } from "../support/python";
import { startComputeEmulator, type ComputeEmulator } from "../compute/support/compute-emulator";
import { bytesOf, contourClient, openRuntime, serviceAppToken, waitForFinalStatus, writeModuleFiles, type RuntimeSession } from "../compute/support/compute-client";

const moduleScript = join(repositoryRoot, "test/python/modules/example_module.py");
const deployedAppRid = "ri.foundry.main.deployed-app.python-sdk-example";
const maxConcurrentTasks = 4;

/** What example_module.py's `large` returns: its block of printable ASCII, repeated and cut. */
function largeString(size: number): string {
  const block = Array.from({ length: 9973 }, (_, index) => String.fromCharCode(32 + ((index * 7919) % 95))).join("");
  return block.repeat(Math.floor(size / block.length) + 1).slice(0, size);
}

/** The most execution windows open at one moment. */
function peakOverlap(windows: Array<{ startedAt: number; finishedAt: number }>): number {
  const events = windows.flatMap((window) => [
    { at: window.startedAt, change: 1 },
    { at: window.finishedAt, change: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.change - b.change); // a window that ends as another starts: no overlap
  let open = 0;
  let peak = 0;
  for (const event of events) {
    open += event.change;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** Log lines of the SDK's worker processes announcing a poll ("PID: <worker index>"). */
function pollingWorkers(module: PythonProcess): Set<string> {
  return new Set([...module.output().matchAll(/PID: (\d+)\s+JOB:.*Polling for new jobs/g)].map((match) => match[1]!));
}

describe("the unmodified Python compute-module SDK as a module", () => {
  let emulator: ComputeEmulator;
  let session: RuntimeSession;
  let contour: ReturnType<typeof contourClient>;
  const modules: PythonProcess[] = [];

  /** A module process (a replica) with exactly the session's environment. */
  function startModule(): PythonProcess {
    const module = startPython(moduleScript, { environment: session.environment, isolated: true, processGroup: true });
    modules.push(module);
    return module;
  }

  const output = () => modules.map((module) => module.output()).join("\n");

  beforeAll(async () => {
    assertPythonReady();
    emulator = await startComputeEmulator({ tls: true, environment: { FOUNDRY_JOB_POLL_WAIT_MS: "5000" } });
    session = await openRuntime(emulator.baseUrl, {
      runtimeId: "python-sdk-example",
      deployedAppRid,
      filesDirectory: join(emulator.directory, "module-files"),
      maxConcurrentTasks,
    });
    writeModuleFiles(session);
    startModule();
    contour = contourClient(emulator.baseUrl, await serviceAppToken(emulator.baseUrl));
  });

  afterAll(async () => {
    await Promise.all(modules.map((module) => module.stop("SIGKILL")));
    await emulator?.stop();
  });

  it("gets an HTTPS runtime with its CA, and the schemas it posts are served as it posted them", async () => {
    expect(session.environment).toMatchObject({
      GET_JOB_URI: `https://127.0.0.1:${emulator.tls!.port}/_emulate/foundry/compute-modules/runtimes/python-sdk-example/job`,
      RUNTIME_HOST: "127.0.0.1",
      RUNTIME_PORT: String(emulator.tls!.port),
      CONNECTIONS_TO_OTHER_PODS_CA_PATH: join(emulator.directory, "module-files", "ca.pem"),
      MAX_CONCURRENT_TASKS: String(maxConcurrentTasks),
    });
    const schemas = await vi.waitFor(
      async () => {
        const listed = (await (await contour.schemas(deployedAppRid)).json()) as unknown[];
        if (listed.length === 0) throw new Error(`no schemas yet: ${output()}`);
        return listed;
      },
      { timeout: 15_000, interval: 50 },
    );
    const integer = { type: "integer", integer: {} };
    const input = (name: string, dataType: unknown) => ({ name, required: true, constraints: [], dataType });
    const single = (dataType: unknown) => ({ type: "single", single: { dataType } });
    expect(schemas).toEqual([
      { functionName: "add", inputs: [input("x", integer), input("y", integer)], output: single(integer), issues: [] },
      // No return annotation: the SDK's default, `string` without its `string: {}` member.
      { functionName: "explode", inputs: [input("message", { type: "string", string: {} })], output: single({ type: "string" }), issues: [] },
      { functionName: "large", inputs: [input("size", integer)], output: single({ type: "string", string: {} }), issues: [] },
      {
        functionName: "slow",
        inputs: [input("seconds", { type: "float", float: {} })],
        output: single({
          type: "anonymousCustomType",
          anonymousCustomType: {
            fields: { jobId: { type: "string", string: {} }, pid: integer, startedAt: { type: "float", float: {} }, finishedAt: { type: "float", float: {} } },
          },
        }),
        issues: [],
      },
    ]);
  });

  it("answers a sync execute with the module's bytes", async () => {
    const response = await contour.execute({ deployedAppRid, deployedAppBranch: "master", queryType: "add", query: { x: 2, y: 40 } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect((await bytesOf(response)).toString("utf8")).toBe("42");
  });

  it("runs an async job: submit, status, result", async () => {
    const submitted = await contour.submit({ deployedAppRid, queryType: "add", query: { x: 20, y: 2 } });
    expect(submitted.status).toBe(200);
    const job = (await submitted.json()) as { id: string };
    expect(await waitForFinalStatus(contour, job.id)).toEqual({ type: "succeeded", succeeded: { intermediateJobInfoList: [] } });
    for (const result of [await contour.result(job.id), await contour.resultV2(job)]) {
      expect(result.status).toBe(200);
      expect((await bytesOf(result)).toString("utf8")).toBe("22");
    }
  });

  it("ends a raising function's job failed, with the SDK's exception text", async () => {
    const job = (await (await contour.submit({ deployedAppRid, queryType: "explode", query: { message: "out of range" } })).json()) as { id: string };
    const status = (await waitForFinalStatus(contour, job.id)) as { type: string; failed: { exception: { errorType: { name: string }; message: string } } };
    expect(status.type).toBe("failed");
    expect(status.failed.exception.errorType.name).toBe("ComputeModules:ModuleReportedError");
    expect(status.failed.exception.message).toMatch(/^out of range: Traceback \(most recent call last\):\n[\s\S]*ValueError: out of range\n$/);
    const result = await contour.result(job.id);
    expect(result.status).toBe(409);
    expect(((await result.json()) as { errorName: string }).errorName).toBe("ModuleGroupMultiplexer:JobFailed");
  });

  it("returns a 3 MB result byte for byte", async () => {
    const size = 3 * 1024 * 1024;
    const response = await contour.execute({ deployedAppRid, queryType: "large", query: { size } });
    expect(response.status).toBe(200);
    const bytes = await bytesOf(response);
    const expected = Buffer.from(JSON.stringify(largeString(size)), "utf8");
    expect(bytes.length).toBe(expected.length);
    expect(bytes.equals(expected)).toBe(true);
  });

  it(`runs ${maxConcurrentTasks} slow jobs at once, and never more in flight even with a second replica polling`, async () => {
    // The SDK runs MAX_CONCURRENT_TASKS workers, so one process alone never exceeds the limit: a
    // second replica with the same environment doubles the pollers, and only the emulator can
    // keep the runtime at four jobs.
    const replica = startModule();
    await vi.waitFor(() => expect(pollingWorkers(replica).size).toBe(maxConcurrentTasks), { timeout: 15_000, interval: 20 });

    const inProgress = () =>
      emulator.platform.database
        .select()
        .from(jobs)
        .where(and(eq(jobs.runtimeId, session.runtimeId), eq(jobs.status, "inProgress")))
        .all().length;
    let peakInProgress = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakInProgress = Math.max(peakInProgress, inProgress());
        await new Promise((done) => setTimeout(done, 5));
      }
    })();
    const calls = Array.from({ length: 6 }, () => contour.execute({ deployedAppRid, queryType: "slow", query: { seconds: 1 } }));
    const responses = await Promise.all(calls);
    sampling = false;
    await sampler;

    const windows = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(200);
        return JSON.parse((await bytesOf(response)).toString("utf8")) as { jobId: string; pid: number; startedAt: number; finishedAt: number };
      }),
    );
    expect(new Set(windows.map((window) => window.jobId)).size).toBe(6);
    expect(peakOverlap(windows)).toBe(maxConcurrentTasks);
    expect(peakInProgress).toBe(maxConcurrentTasks);
    await replica.stop("SIGKILL");
  });

  it("reconnects by itself after the emulator restarts, and answers a job submitted after it", async () => {
    const [module] = modules;
    const cutPolls = () => module!.output().split("Get job request failed, attempting to re-establish connection").length - 1;
    const cutBefore = cutPolls();
    await emulator.restart(); // same ports, same database: the module keeps its token and CA
    // The restart cut the SDK's held polls; it noticed, and retries with its own backoff.
    await vi.waitFor(() => expect(cutPolls()).toBeGreaterThan(cutBefore), { timeout: 5_000, interval: 20 });
    // This process's pooled connections to the old listener are gone too: the first calls may fail.
    await vi.waitFor(async () => expect((await fetch(`${emulator.baseUrl}/_emulate/health`)).status).toBe(200), { timeout: 5_000, interval: 20 });

    const response = await contour.execute({ deployedAppRid, queryType: "add", query: { x: 5, y: 2 } });
    expect(response.status).toBe(200);
    expect((await bytesOf(response)).toString("utf8")).toBe("7");
    expect(module!.child.exitCode).toBeNull();
  });
});
