/**
 * `npm run bench` (`make bench`): speed, start-up and memory of the emulator, side by side with
 * this machine's ceiling, in one run. Benchmarks, not tests: nothing here fails on a figure.
 *
 * The emulator under test runs as its own process — the production bundle `node dist/all.mjs`
 * (rebuilt first when a source is newer), as the image runs it — and the load generator
 * (autocannon, over loopback) runs in this process. The ceiling is a bare @hono/node-server route
 * answering a constant JSON body (bench/ceiling-server.mjs), started the same way and measured
 * just before and just after the throughput scenarios; every throughput is reported as a ratio to
 * it, because absolute figures drift on a shared machine.
 *
 * Prints a table and writes bench/results.json. Options (all optional):
 *   --duration <s>      measured seconds per throughput scenario (default 6)
 *   --warmup <s>        unmeasured seconds before each (default 2)
 *   --connections <n>   autocannon connections (default 10)
 *   --calls <n>         sync execute calls per concurrency, and dispatch polls (default 1000)
 *   --rows <n>          jobs/tokens for the large-database scenarios (default 100000)
 *   --cold-runs <n>     cold starts per configuration (default 10; npm start: half)
 *   --docker auto|skip  container scenarios when `docker info` answers (default auto)
 *   --log-level <l>     the emulator's LOG_LEVEL (default: its own default, info)
 *   --only <ids>        comma-separated scenario groups: throughput,compute,poll,cold,memory,docker
 *   --quick             tiny sizes for a smoke run (seconds, not minutes); implies --docker skip
 *   --out <file>        results file (default bench/results.json)
 *   --profile <dir>     run the main emulator under `node --cpu-prof` (profiles written to <dir>)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { buildImage, containerColdStart, dockerAvailable, startComposeStack } from "./lib/docker";
import {
  authorizePath,
  basicServiceApp,
  contourPath,
  openRuntime,
  pkcePair,
  publicClientRedirectUri,
  requestIdPattern,
  serviceToken,
  startFastModule,
  startRealModule,
  stopChild,
  userToken,
} from "./lib/emulator-client";
import { createHttpClient, driveLoad, summarizeLatencies, unexpectedResponses, type HttpClient, type LatencySummary, type LoadResult } from "./lib/load";
import { repositoryRoot, startServer, stopGroup, type ServerProcess } from "./lib/processes";
import { countRows, writeBulkRows } from "./lib/seed-database";

// ------------------------------------------------------------------ options

const { values: argv } = parseArgs({
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    calls: { type: "string" },
    rows: { type: "string" },
    "cold-runs": { type: "string" },
    docker: { type: "string", default: "auto" },
    "log-level": { type: "string" },
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(repositoryRoot, "bench/results.json") },
    profile: { type: "string" },
  },
});
const quick = argv.quick ?? false;
const numberOption = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const settings = {
  durationSeconds: numberOption(argv.duration, quick ? 0.5 : 6),
  warmupSeconds: numberOption(argv.warmup, quick ? 0.2 : 2),
  connections: numberOption(argv.connections, 10),
  calls: numberOption(argv.calls, quick ? 30 : 1000),
  rows: numberOption(argv.rows, quick ? 300 : 100_000),
  coldRuns: numberOption(argv["cold-runs"], quick ? 1 : 10),
  docker: quick ? "skip" : (argv.docker ?? "auto"),
  logLevel: argv["log-level"],
  only: argv.only ? new Set(argv.only.split(",").map((value) => value.trim())) : undefined,
};
const wanted = (group: string) => !settings.only || settings.only.has(group);
const benchStarted = performance.now();
const workDirectory = mkdtempSync(join(tmpdir(), "foundry-emulator-bench-"));
const emulatorEnvironment = (databasePath: string, extra: Record<string, string> = {}) => ({
  FOUNDRY_DB: databasePath,
  FOUNDRY_SEED: join(repositoryRoot, "seeds/default.yaml"),
  ...(settings.logLevel ? { LOG_LEVEL: settings.logLevel } : {}),
  ...extra,
});
let databaseCounter = 0;
const freshDatabasePath = () => {
  databaseCounter += 1;
  return join(workDirectory, `db-${databaseCounter}`, "foundry.db");
};

// ------------------------------------------------------------------ results

interface Row {
  id: string;
  group: string;
  scenario: string;
  /** The headline figure and its unit. */
  value: number | null;
  unit: string;
  /** value / ceiling req/s, for throughputs. */
  ratio?: number | null;
  p50Ms?: number | null;
  p99Ms?: number | null;
  target?: string;
  /** true / false against the target; null when there is none or it was not measured. */
  met?: boolean | null;
  note?: string;
  details?: unknown;
}

const rows: Row[] = [];
const log = (message: string) => process.stderr.write(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(3)}s] ${message}\n`);
const round = (value: number | null | undefined, digits = 2) => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function skipped(id: string, group: string, scenario: string, why: string) {
  rows.push({ id, group, scenario, value: null, unit: "", note: `skipped: ${why}`, met: null });
}

// ------------------------------------------------------------------ build

/** Rebuilds dist/ (npm run build) when a source file is newer than dist/all.mjs. */
function ensureBundle() {
  const bundle = join(repositoryRoot, "dist/all.mjs");
  let builtAt = 0;
  try {
    builtAt = statSync(bundle).mtimeMs;
  } catch {
    // not built
  }
  const newest = (directory: string): number => {
    let latest = 0;
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const path = join(directory, entry.name);
      latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }
    return latest;
  };
  const sources = ["packages", "services", "migrations", "scripts/build.mjs"].map((path) => join(repositoryRoot, path));
  const latestSource = Math.max(...sources.map((path) => (statSync(path).isDirectory() ? newest(path) : statSync(path).mtimeMs)));
  if (latestSource <= builtAt) return "dist/ up to date";
  log("building dist/ (npm run build)");
  const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: repositoryRoot, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm run build failed: ${result.stderr || result.stdout}`);
  return "dist/ rebuilt";
}

// ------------------------------------------------------------------ scenarios

const ceilingRuns: LoadResult[] = [];
const ceilingRate = () => (ceilingRuns.length ? ceilingRuns.reduce((sum, run) => sum + run.requestsPerSecond, 0) / ceilingRuns.length : Number.NaN);

async function measureCeiling(): Promise<LoadResult> {
  const server = await startServer({ logDirectory: workDirectory, kind: "ceiling" });
  try {
    const result = await driveLoad({
      url: `${server.baseUrl}/`,
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
    });
    ceilingRuns.push(result);
    log(`ceiling: ${result.requestsPerSecond.toFixed(0)} req/s`);
    return result;
  } finally {
    await server.stop();
  }
}

function throughputRow(id: string, scenario: string, result: LoadResult, options: { unit?: string; units?: boolean; targetRatio?: number; note?: string }) {
  const value = options.units ? result.unitsPerSecond! : result.requestsPerSecond;
  const failures = unexpectedResponses(result, options.units ? (status) => status >= 200 && status < 400 : undefined);
  const notes = [options.note, failures ? `${failures} unexpected responses or errors` : undefined, `${result.requests} requests in ${result.seconds.toFixed(1)} s`].filter(
    Boolean,
  );
  rows.push({
    id,
    group: "throughput",
    scenario,
    value: round(value, 0),
    unit: options.unit ?? "req/s",
    ratio: null, // filled in once the closing ceiling run is in
    p50Ms: round(result.latency.p50),
    p99Ms: round(result.latency.p99),
    ...(options.targetRatio !== undefined ? { target: `≥ ${options.targetRatio}× ceiling` } : {}),
    note: notes.join("; "),
    details: { ...result, targetRatio: options.targetRatio },
  });
}

async function throughputScenarios(server: ServerProcess) {
  const base = server.baseUrl;
  // 1. client_credentials issuance
  log("client_credentials issuance");
  const issuance = await driveLoad({
    url: `${base}/multipass/api/oauth2/token`,
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basicServiceApp },
    body: "grant_type=client_credentials&scope=api%3Aadmin-read",
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
  });
  throughputRow("client_credentials", "`client_credentials` token issuance", issuance, { targetRatio: 0.25 });

  // 2. getCurrent with a valid token (alice's, from the authorization-code flow)
  log("getCurrent");
  const token = await userToken(base);
  const getCurrent = await driveLoad({
    url: `${base}/api/v2/admin/users/getCurrent`,
    headers: { Authorization: `Bearer ${token}` },
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
  });
  throughputRow("get_current", "`getCurrent` with a valid token", getCurrent, { targetRatio: 0.5 });

  // 3. authorization code + PKCE, end to end: authorize (picker) → callback (303 + code) → token
  log("authorization code + PKCE flows");
  let flows = 0;
  const flow = await driveLoad(
    {
      url: base,
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      expectedStatuses: (status) => status >= 200 && status < 400,
      requests: [
        {
          method: "GET",
          setupRequest: (request, context) => {
            const pair = pkcePair();
            context.verifier = pair.verifier;
            return { ...request, path: authorizePath(pair.challenge) };
          },
          onResponse: (_status, body, context) => {
            context.requestId = requestIdPattern.exec(body)?.[1];
          },
        },
        {
          method: "POST",
          path: "/multipass/api/oauth2/authorize/callback",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          setupRequest: (request, context) => ({ ...request, body: `request_id=${encodeURIComponent(String(context.requestId))}&username=alice` }),
          onResponse: (_status, _body, context, headers) => {
            const location = headers.location ?? headers.Location;
            context.code = location ? new URL(String(location)).searchParams.get("code") : undefined;
          },
        },
        {
          method: "POST",
          path: "/multipass/api/oauth2/token",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          setupRequest: (request, context) => ({
            ...request,
            body: new URLSearchParams({
              grant_type: "authorization_code",
              client_id: "public-app",
              code: String(context.code),
              code_verifier: String(context.verifier),
              redirect_uri: publicClientRedirectUri,
            }).toString(),
          }),
          onResponse: (status) => {
            if (status === 200) flows += 1;
          },
        },
      ],
    },
    () => flows,
  );
  throughputRow("pkce_flow", "authorization code + PKCE, full flow (3 requests)", flow, {
    unit: "flows/s",
    units: true,
    note: "ratio: flows/s × 3 requests vs the ceiling's req/s",
  });
  return { token };
}

/** p50/p99 of sync execute with the real module, at a given number of calls in flight. */
async function syncExecuteLatency(
  client: HttpClient,
  token: string,
  deployedAppRid: string,
  inFlight: number,
  calls: number,
): Promise<{ latency: LatencySummary; callsPerSecond: number; failures: number }> {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/octet-stream" };
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) {
        const x = next++;
        const sent = performance.now();
        const response = await client.send(
          `${contourPath}/compute-modules/jobs/execute`,
          "POST",
          headers,
          JSON.stringify({ deployedAppRid, queryType: "add", query: { x, y: 1 } }),
        );
        const elapsed = performance.now() - sent;
        if (response.status === 200 && response.body.toString() === String(x + 1)) latencies.push(elapsed);
        else failures += 1;
      }
    }),
  );
  return { latency: summarizeLatencies(latencies), callsPerSecond: (latencies.length / (performance.now() - started)) * 1000, failures };
}

/** Async submit → status (until finished) → result, `inFlight` jobs at a time, for `seconds`. */
async function asyncJobs(client: HttpClient, token: string, deployedAppRid: string, inFlight: number, seconds: number) {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const latencies: number[] = [];
  let failures = 0;
  let statusCalls = 0;
  const stopAt = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      let x = worker * 1_000_000;
      while (performance.now() < stopAt) {
        x += 1;
        const sent = performance.now();
        const submitted = await client.send(`${contourPath}/deployed-apps/jobs`, "POST", headers, JSON.stringify({ deployedAppRid, queryType: "add", query: { x, y: 2 } }));
        if (submitted.status !== 200) {
          failures += 1;
          continue;
        }
        const job = JSON.parse(submitted.body.toString()) as { id: string };
        let state = "queued";
        while (state === "queued" || state === "inProgress") {
          const status = await client.send(`${contourPath}/jobs/${job.id}/status`, "GET", headers);
          statusCalls += 1;
          state = status.status === 200 ? (JSON.parse(status.body.toString()) as { type: string }).type : "error";
          if (state === "queued" || state === "inProgress") await new Promise((resolve) => setTimeout(resolve, 1));
        }
        const result = await client.send(`${contourPath}/jobs/result/v2`, "PUT", { ...headers, Accept: "application/octet-stream" }, JSON.stringify(job));
        if (state === "succeeded" && result.status === 200 && result.body.toString() === String(x + 2)) latencies.push(performance.now() - sent);
        else failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    jobsPerSecond: latencies.length / elapsed,
    latency: summarizeLatencies(latencies),
    failures,
    statusCallsPerJob: statusCalls / Math.max(1, latencies.length),
    jobs: latencies.length,
  };
}

/**
 * Dispatch latency as a module sees it: a job is queued for this runtime, then GET .../job (which
 * claims it in one IMMEDIATE transaction and mints its token) is timed; the result is posted so
 * nothing lingers. On a database holding `queued other` jobs for another runtime, this shows
 * whether the queue is read through its indexes.
 */
async function dispatchLatency(server: ServerProcess, token: string, calls: number) {
  const runtimeId = `bench-poll-${Math.random().toString(36).slice(2, 8)}`;
  const deployedAppRid = `ri.foundry.main.deployed-app.${runtimeId}`;
  const session = await openRuntime(server.baseUrl, { runtimeId, deployedAppRid, filesDirectory: join(workDirectory, runtimeId) });
  const client = createHttpClient(server.baseUrl, 4);
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const moduleHeaders = { "Module-Auth-Token": session.moduleAuthToken };
  const runtimePath = `/_emulate/foundry/compute-modules/runtimes/${runtimeId}`;
  const latencies: number[] = [];
  let failures = 0;
  try {
    for (let index = 0; index < calls + 20; index += 1) {
      const submitted = await client.send(`${contourPath}/deployed-apps/jobs`, "POST", headers, JSON.stringify({ deployedAppRid, queryType: "add", query: { x: index, y: 0 } }));
      if (submitted.status !== 200) {
        failures += 1;
        continue;
      }
      const sent = performance.now();
      const polled = await client.send(`${runtimePath}/job`, "GET", moduleHeaders);
      const elapsed = performance.now() - sent;
      if (polled.status !== 200) {
        failures += 1;
        continue;
      }
      if (index >= 20) latencies.push(elapsed); // the first 20 warm up
      const jobId = (JSON.parse(polled.body.toString()) as { computeModuleJobV1: { jobId: string } }).computeModuleJobV1.jobId;
      await client.send(`${runtimePath}/results/${jobId}`, "POST", { ...moduleHeaders, "Content-Type": "application/octet-stream" }, String(index));
    }
  } finally {
    client.close();
  }
  return { latency: summarizeLatencies(latencies), failures };
}

async function computeScenarios(server: ServerProcess) {
  const token = await serviceToken(server.baseUrl, "api:read-data");
  const deployedAppRid = "ri.foundry.main.deployed-app.benchmark";
  // The runtime takes as many jobs at once as the scenarios keep in flight (8), as before the limit was enforced.
  const session = await openRuntime(server.baseUrl, { runtimeId: "benchmark", deployedAppRid, filesDirectory: join(workDirectory, "module"), maxConcurrentTasks: 8 });
  const module = startRealModule(session);
  const client = createHttpClient(server.baseUrl, 16);
  try {
    // Ready once it answers; then a warm-up.
    const warmup = await syncExecuteLatency(client, token, deployedAppRid, 1, Math.min(200, settings.calls));
    if (warmup.failures) throw new Error(`sync execute warm-up: ${warmup.failures} failures`);
    for (const inFlight of [1, 8]) {
      log(`sync execute, ${inFlight} in flight`);
      const measured = await syncExecuteLatency(client, token, deployedAppRid, inFlight, settings.calls);
      rows.push({
        id: `sync_execute_c${inFlight}`,
        group: "compute",
        scenario: `sync execute round trip, real module, concurrency ${inFlight}`,
        value: round(measured.callsPerSecond, 0),
        unit: "calls/s",
        p50Ms: round(measured.latency.p50),
        p99Ms: round(measured.latency.p99),
        ...(inFlight === 1 ? { target: "p50 ≤ 3 ms, p99 ≤ 15 ms", met: measured.latency.p50 <= 3 && measured.latency.p99 <= 15 } : {}),
        note: `${measured.latency.count} calls${measured.failures ? `; ${measured.failures} failed` : ""}${inFlight > 1 ? "; the module runs one job at a time, so calls queue behind each other" : ""}`,
        details: measured,
      });
    }
    log("async submit → status → result");
    const asyncResult = await asyncJobs(client, token, deployedAppRid, 8, settings.durationSeconds);
    rows.push({
      id: "async_jobs",
      group: "compute",
      scenario: "async submit → status → result, real module, 8 jobs in flight",
      value: round(asyncResult.jobsPerSecond, 0),
      unit: "jobs/s",
      p50Ms: round(asyncResult.latency.p50),
      p99Ms: round(asyncResult.latency.p99),
      note: `${asyncResult.jobs} jobs, ${asyncResult.statusCallsPerJob.toFixed(1)} status calls per job (1 ms apart)${asyncResult.failures ? `; ${asyncResult.failures} failed` : ""}`,
      details: asyncResult,
    });
  } finally {
    client.close();
    await stopChild(module);
  }
  return { token };
}

async function pollScenarios(baseline: ServerProcess | undefined, token: string | undefined) {
  const calls = settings.calls;
  let baselineLatency: LatencySummary | undefined;
  if (baseline && token) {
    log("dispatch latency, empty queue elsewhere");
    const measured = await dispatchLatency(baseline, token, calls);
    baselineLatency = measured.latency;
    rows.push({
      id: "poll_latency_empty",
      group: "poll",
      scenario: "job poll → dispatch, no other queued jobs",
      value: round(measured.latency.p50),
      unit: "ms p50",
      p50Ms: round(measured.latency.p50),
      p99Ms: round(measured.latency.p99),
      note: `${measured.latency.count} polls${measured.failures ? `; ${measured.failures} failed` : ""}`,
      details: measured,
    });
  }
  log(`dispatch latency with ${settings.rows} queued jobs for another runtime`);
  const databasePath = freshDatabasePath();
  const seedMs = writeBulkRows(databasePath, { queuedJobsForOtherRuntime: settings.rows });
  const server = await startServer({ logDirectory: workDirectory, kind: "bundle", environment: emulatorEnvironment(databasePath) });
  try {
    const serverToken = await serviceToken(server.baseUrl, "api:read-data");
    const measured = await dispatchLatency(server, serverToken, calls);
    const ratio = baselineLatency ? measured.latency.p50 / baselineLatency.p50 : undefined;
    rows.push({
      id: "poll_latency_queued",
      group: "poll",
      scenario: `job poll → dispatch, ${settings.rows.toLocaleString("en-US")} jobs queued for another runtime`,
      value: round(measured.latency.p50),
      unit: "ms p50",
      p50Ms: round(measured.latency.p50),
      p99Ms: round(measured.latency.p99),
      target: "same as with an empty queue (indexes, not scans)",
      met: ratio === undefined ? null : ratio <= 1.5,
      note: `${ratio !== undefined ? `${ratio.toFixed(2)}× the empty-queue p50; ` : ""}${measured.latency.count} polls; rows written in ${(seedMs / 1000).toFixed(1)} s`,
      details: { ...measured, seedMs },
    });
  } finally {
    await server.stop();
  }
}

async function coldStartScenarios() {
  const runs = settings.coldRuns;
  const startOnce = async (kind: "bundle" | "npm-start", databasePath: string) => {
    const server = await startServer({ logDirectory: workDirectory, kind, environment: emulatorEnvironment(databasePath) });
    await server.stop();
    return server.startMilliseconds;
  };
  /** `times` cold starts, one row: the median, min and max, and the 400 ms target when given. */
  const measure = async (row: { id: string; scenario: string; times: number; target?: boolean; note?: string; details?: object }, once: () => Promise<number>) => {
    const measured: number[] = [];
    for (let run = 0; run < row.times; run += 1) measured.push(await once());
    rows.push({
      id: row.id,
      group: "cold",
      scenario: row.scenario,
      value: round(median(measured), 0),
      unit: `ms median of ${row.times}`,
      ...(row.target ? { target: "≤ 400 ms", met: median(measured) <= 400 } : {}),
      note: [`min ${Math.min(...measured).toFixed(0)}, max ${Math.max(...measured).toFixed(0)} ms`, row.note].filter(Boolean).join("; "),
      details: { runs: measured, ...row.details },
    });
  };
  // Bundle, empty database (a new file each run: migrations, seed and key generation included).
  log(`cold start ×${runs}: bundle, empty database`);
  await measure({ id: "cold_start_empty", scenario: "cold start, `node dist/all.mjs` → `/_emulate/health` 200, empty database", times: runs, target: true }, () =>
    startOnce("bundle", freshDatabasePath()),
  );
  // Bundle, database holding finished jobs and their tokens.
  log(`cold start ×${runs}: bundle, ${settings.rows} finished jobs + tokens`);
  const largePath = freshDatabasePath();
  const seedMs = writeBulkRows(largePath, { finishedJobs: settings.rows });
  const rowCount = settings.rows.toLocaleString("en-US");
  await measure(
    {
      id: "cold_start_large",
      scenario: `cold start, \`node dist/all.mjs\`, ${rowCount} finished jobs + ${rowCount} tokens`,
      times: runs,
      target: true,
      note: `rows written in ${(seedMs / 1000).toFixed(1)} s`,
      details: { seedMs },
    },
    () => startOnce("bundle", largePath),
  );
  // npm start (tsx), for information.
  const tsxRuns = Math.max(1, Math.ceil(runs / 2));
  log(`cold start ×${tsxRuns}: npm start (tsx)`);
  await measure(
    {
      id: "cold_start_npm_start",
      scenario: "cold start, `npm start` (tsx on the sources), empty database — for information",
      times: tsxRuns,
      note: "includes npm's own start-up",
    },
    () => startOnce("npm-start", freshDatabasePath()),
  );
}

/** RSS of `server` once it has settled: polled every second until `done(rss)` or the deadline. */
async function settledRss(server: ServerProcess, deadlineMs: number, done: (rssMiB: number) => boolean) {
  let rss = server.rssMiB();
  while (!done(rss) && performance.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rss = server.rssMiB();
  }
  return rss;
}

/**
 * Idle memory: an emulator started at the beginning of the run that serves nothing. Its RSS right
 * after start-up still holds the start-up garbage; V8's memory reducer returns it some 20 s later,
 * so the settled figure is read at the end of the run (it idles meanwhile, costing no CPU).
 */
async function startIdleWatch() {
  const server = await startServer({ logDirectory: workDirectory, kind: "bundle", environment: emulatorEnvironment(freshDatabasePath()) });
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, quick ? 500 : 3000));
  const afterStart = server.rssMiB();
  log(`idle emulator: RSS ${afterStart.toFixed(1)} MiB 3 s after start-up`);
  return {
    async finish() {
      try {
        // At least 30 s of idling, then until the memory reducer has given the start-up garbage back.
        const minimumMs = quick ? 1000 : 30_000;
        let rss = server.rssMiB();
        const deadline = Math.max(performance.now(), startedAt + minimumMs) + (quick ? 0 : 30_000);
        while (performance.now() < startedAt + minimumMs || (rss > afterStart - 4 && performance.now() < deadline)) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          rss = server.rssMiB();
        }
        const anon = server.rssAnonMiB();
        rows.push({
          id: "rss_idle",
          group: "memory",
          scenario: "RSS idle (`node dist/all.mjs`, settled)",
          value: round(rss, 1),
          unit: "MiB",
          target: "≤ 64 MB",
          met: rss * 1.048576 <= 64,
          note: `${afterStart.toFixed(1)} MiB 3 s after start-up; of the settled figure, ${anon.toFixed(1)} MiB is private (anonymous) memory, the rest mostly the node binary's shared, file-backed pages`,
          details: { afterStartMiB: afterStart, settledMiB: rss, anonymousMiB: anon, idledSeconds: (performance.now() - startedAt) / 1000 },
        });
        return afterStart;
      } finally {
        await server.stop();
      }
    },
  };
}

/**
 * Memory after 100,000 jobs: jobs go through the real routes (submit → bench/fast-module.mjs polls,
 * gets the job and its minted token, posts the result) for at most `routeSeconds`; if the budget
 * runs out first, finished jobs and their tokens are written straight into the live database until
 * there are `rows` in all. With FOUNDRY_JOB_RETENTION_SECONDS=10 the retention sweep then removes
 * them all. The settled RSS is read later (`finish`), while other scenarios run on other processes.
 */
async function startMemoryPhase() {
  const retentionSeconds = quick ? 2 : 10;
  const routeSeconds = quick ? 5 : 40;
  const databasePath = freshDatabasePath();
  const server = await startServer({
    logDirectory: workDirectory,
    kind: "bundle",
    environment: emulatorEnvironment(databasePath, { FOUNDRY_JOB_RETENTION_SECONDS: String(retentionSeconds) }),
  });
  let module: ReturnType<typeof startFastModule> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const stopAll = async () => {
    if (sampler) clearInterval(sampler);
    if (module) await stopChild(module);
    await server.stop();
  };
  try {
    const atStart = server.rssMiB();
    const token = await serviceToken(server.baseUrl, "api:read-data");
    const deployedAppRid = "ri.foundry.main.deployed-app.memory";
    const session = await openRuntime(server.baseUrl, { runtimeId: "memory", deployedAppRid, filesDirectory: join(workDirectory, "memory-module"), maxConcurrentTasks: 4 });
    let completed = 0;
    module = startFastModule(session, 4, (count) => (completed = count));
    let peak = atStart;
    sampler = setInterval(() => (peak = Math.max(peak, server.rssMiB())), 250);
    log(`memory: pushing up to ${settings.rows} jobs through the real routes for at most ${routeSeconds} s`);
    const started = performance.now();
    const submitted = await new Promise<number>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${server.baseUrl}${contourPath}/deployed-apps/jobs`,
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ deployedAppRid, queryType: "add", query: { x: 1, y: 2 } }),
          connections: 4,
          amount: settings.rows,
          timeout: 30,
        },
        (error, result) => (error ? reject(error) : resolve(result["2xx"])),
      );
      setTimeout(() => instance.stop(), routeSeconds * 1000).unref();
    });
    const drainDeadline = performance.now() + 60_000;
    while (completed < submitted && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const routeElapsed = (performance.now() - started) / 1000;
    await stopChild(module);
    module = undefined;
    const throughRoutes = completed;
    const inserted = Math.max(0, settings.rows - throughRoutes);
    const insertMs = inserted > 0 ? writeBulkRows(databasePath, { finishedJobs: inserted, runtimeId: "memory" }) : 0;
    const afterJobs = server.rssMiB();
    clearInterval(sampler);
    sampler = undefined;
    const loadEndedAt = performance.now();
    log(
      `memory: ${throughRoutes} jobs through the routes in ${routeElapsed.toFixed(1)} s (${(throughRoutes / routeElapsed).toFixed(0)} jobs/s)` +
        `${inserted ? `, ${inserted} more written to the database in ${(insertMs / 1000).toFixed(1)} s` : ""}; RSS ${afterJobs.toFixed(1)} MiB (peak ${peak.toFixed(1)})`,
    );
    return {
      async finish(idleAfterStart: number | undefined) {
        try {
          // Retention first (jobs gone), then the heap: V8 gives memory back once the process idles.
          const baseline = idleAfterStart ?? atStart;
          let remaining = countRows(databasePath);
          const retentionDeadline = loadEndedAt + (retentionSeconds * 4 + 30) * 1000;
          while (remaining.jobs > 0 && performance.now() < retentionDeadline) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            remaining = countRows(databasePath);
          }
          const settled = await settledRss(server, Math.max(performance.now(), loadEndedAt + (quick ? 1_000 : 120_000)), (rss) => rss <= baseline + 32);
          const total = throughRoutes + inserted;
          rows.push({
            id: "rss_after_jobs",
            group: "memory",
            scenario: `RSS after ${total.toLocaleString("en-US")} jobs and their tokens, once retention removed them`,
            value: round(settled, 1),
            unit: "MiB",
            target: "bounded: back within 32 MiB of idle",
            met: remaining.jobs === 0 && settled <= baseline + 32,
            note:
              `${throughRoutes.toLocaleString("en-US")} through the real routes at ${(throughRoutes / routeElapsed).toFixed(0)} jobs/s` +
              `${inserted ? `, ${inserted.toLocaleString("en-US")} written straight into the live database` : ""}; ` +
              `peak ${peak.toFixed(1)} MiB under load, ${afterJobs.toFixed(1)} MiB when it stopped; ${remaining.jobs} jobs and ${remaining.accessTokens} tokens left ` +
              `after retention (FOUNDRY_JOB_RETENTION_SECONDS=${retentionSeconds}); settled ${((performance.now() - loadEndedAt) / 1000).toFixed(0)} s after the load`,
            details: { atStart, peak, afterJobs, settled, throughRoutes, inserted, routeSeconds: routeElapsed, remaining, retentionSeconds, baseline },
          });
        } finally {
          await stopAll();
        }
      },
      abort: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function dockerScenarios() {
  if (settings.docker === "skip") {
    skipped("container_cold_start", "docker", "container cold start (`docker run` → healthy)", quick ? "--quick" : "--docker skip");
    skipped("compose_get_current", "docker", "compose stack behind nginx: `getCurrent`", quick ? "--quick" : "--docker skip");
    return;
  }
  if (!dockerAvailable()) {
    skipped("container_cold_start", "docker", "container cold start (`docker run` → healthy)", "no Docker engine");
    skipped("compose_get_current", "docker", "compose stack behind nginx: `getCurrent`", "no Docker engine");
    return;
  }
  const tag = "foundry-emulator:bench";
  log(`docker: building ${tag}`);
  const buildMs = buildImage(tag);
  log(`docker: image ready in ${(buildMs / 1000).toFixed(0)} s; cold starts ×${settings.coldRuns}`);
  const http: number[] = [];
  const healthy: number[] = [];
  for (let run = 0; run < settings.coldRuns; run += 1) {
    const start = await containerColdStart(tag, `foundry-bench-${process.pid}-${run}`);
    http.push(start.httpMilliseconds);
    healthy.push(start.healthyMilliseconds);
  }
  rows.push({
    id: "container_cold_start",
    group: "docker",
    scenario: "container cold start, `docker run` → Docker reports healthy",
    value: round(median(healthy), 0),
    unit: `ms median of ${settings.coldRuns}`,
    target: "≤ 2 s",
    met: median(healthy) <= 2000,
    note: `\`docker run\` → first 200 on the published port: median ${median(http).toFixed(0)} ms (min ${Math.min(...http).toFixed(0)}, max ${Math.max(...http).toFixed(0)}); HEALTHCHECK interval 1 s`,
    details: { healthy, http, buildMs },
  });

  log("docker: compose stack behind nginx");
  const stack = await startComposeStack(tag, `foundrybench${process.pid}`);
  try {
    const issuance = await driveLoad({
      url: `${stack.baseUrl}/multipass/api/oauth2/token`,
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basicServiceApp },
      body: "grant_type=client_credentials&scope=api%3Aadmin-read",
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
    });
    throughputRow("compose_client_credentials", "compose stack behind nginx: `client_credentials`", issuance, { note: "auth container behind the nginx gateway container" });
    const token = await userToken(stack.baseUrl);
    const getCurrent = await driveLoad({
      url: `${stack.baseUrl}/api/v2/admin/users/getCurrent`,
      headers: { Authorization: `Bearer ${token}` },
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
    });
    throughputRow("compose_get_current", "compose stack behind nginx: `getCurrent`", getCurrent, { note: `stack up in ${(stack.upMilliseconds / 1000).toFixed(1)} s` });
    for (const id of ["compose_client_credentials", "compose_get_current"]) rows.find((row) => row.id === id)!.group = "docker";
  } finally {
    stack.down();
  }
}

// ------------------------------------------------------------------ report

function formatTable(ceiling: number) {
  // Ratios first: absolute figures drift with whatever else the machine runs, ratios much less.
  const header = ["Scenario", "× ceiling", "Result", "p50 ms", "p99 ms", "Target", "Met"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((_, index) => (index === 0 ? "---" : "---:")).join("|")}|`];
  if (ceilingRuns[0]) {
    lines.push(
      `| ceiling: bare \`@hono/node-server\` route, constant JSON | 1.00 | ${Math.round(ceiling).toLocaleString("en-US")} req/s | ${round(ceilingRuns[0].latency.p50)} | ${round(ceilingRuns[0].latency.p99)} |  |  |`,
    );
  }
  for (const row of rows) {
    const value = row.value === null ? (row.note ?? "—") : `${row.value.toLocaleString("en-US")} ${row.unit}`;
    const met = row.met === true ? "yes" : row.met === false ? "**no**" : "";
    lines.push(
      `| ${row.scenario} | ${row.ratio === undefined || row.ratio === null ? "" : row.ratio.toFixed(2)} | ${value} | ${row.p50Ms ?? ""} | ${row.p99Ms ?? ""} | ${row.target ?? ""} | ${met} |`,
    );
  }
  return lines.join("\n");
}

function machineDescription() {
  const cpu = cpus()[0];
  return {
    node: process.version,
    os: `${process.platform} ${release()}`,
    cpuModel: cpu?.model ?? "unknown",
    cpus: availableParallelism(),
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
  };
}

// ------------------------------------------------------------------ main

const loadBefore = loadavg();
const buildNote = ensureBundle();
log(`${buildNote}; work directory ${workDirectory}; load average ${loadBefore.map((value) => value.toFixed(2)).join(" ")}`);
let mainServer: ServerProcess | undefined;
let idleWatch: Awaited<ReturnType<typeof startIdleWatch>> | undefined;
let memoryPhase: Awaited<ReturnType<typeof startMemoryPhase>> | undefined;
let failure: unknown;
try {
  if (wanted("memory")) idleWatch = await startIdleWatch();
  if (wanted("throughput") || wanted("compute") || wanted("poll")) {
    if (wanted("throughput")) await measureCeiling();
    mainServer = await startServer({
      logDirectory: workDirectory,
      kind: "bundle",
      environment: emulatorEnvironment(freshDatabasePath()),
      ...(argv.profile ? { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${argv.profile}`] } : {}),
    });
    let token: string | undefined;
    if (wanted("throughput")) {
      await throughputScenarios(mainServer);
      // The closing ceiling run follows at once (the emulator idles meanwhile), so the two runs
      // bracket the scenarios they are compared with; their drift shows in the header.
      await measureCeiling();
    }
    if (wanted("compute")) token = (await computeScenarios(mainServer)).token;
    if (wanted("poll")) await pollScenarios(mainServer, token ?? (await serviceToken(mainServer.baseUrl, "api:read-data")));
    await mainServer.stop();
    mainServer = undefined;
  }
  // The memory phase's load runs alone; its retention and settling overlap the start-up scenarios
  // (other processes: an idle emulator's RSS does not depend on them).
  if (wanted("memory")) memoryPhase = await startMemoryPhase();
  if (wanted("cold")) await coldStartScenarios();
  if (wanted("docker")) await dockerScenarios();
  if (memoryPhase) {
    const idleAfterStart = await idleWatch?.finish();
    idleWatch = undefined;
    await memoryPhase.finish(idleAfterStart);
    memoryPhase = undefined;
  }
} catch (error) {
  failure = error;
} finally {
  if (mainServer) await stopGroup(mainServer.child);
  if (memoryPhase) await memoryPhase.abort();
  if (idleWatch) await idleWatch.finish().catch(() => undefined);
  rmSync(workDirectory, { recursive: true, force: true });
}

const ceiling = ceilingRate();
for (const row of rows) {
  if (row.group !== "throughput" && !row.id.startsWith("compose_")) continue;
  const perSecond = row.unit === "flows/s" ? (row.value ?? Number.NaN) * 3 : (row.value ?? Number.NaN);
  row.ratio = round(perSecond / ceiling);
  const targetRatio = (row.details as { targetRatio?: number } | undefined)?.targetRatio;
  if (targetRatio !== undefined) row.met = row.ratio !== null && row.ratio >= targetRatio;
}
const loadAfter = loadavg();
const ceilingDrift = ceilingRuns.length === 2 ? ceilingRuns[1]!.requestsPerSecond / ceilingRuns[0]!.requestsPerSecond : undefined;
const results = {
  generatedAt: new Date().toISOString(),
  machine: machineDescription(),
  loadAverage: { before: loadBefore.map((value) => round(value)), after: loadAfter.map((value) => round(value)) },
  settings: {
    ...settings,
    only: settings.only ? [...settings.only] : undefined,
    server: "node dist/all.mjs (production bundle), own process; load generator: autocannon 9 in the bench process, over loopback",
  },
  ceiling: { requestsPerSecond: round(ceiling, 0), runs: ceilingRuns.map((run) => round(run.requestsPerSecond, 0)), drift: round(ceilingDrift ?? null) },
  rows,
  durationSeconds: round((performance.now() - benchStarted) / 1000, 1),
  error: failure ? String((failure as Error)?.stack ?? failure) : undefined,
};
writeFileSync(argv.out!, `${JSON.stringify(results, null, 2)}\n`);

const machine = results.machine;
console.log(
  `\nfoundry-emulator benchmark — ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; ` +
    `load average ${loadBefore[0]!.toFixed(2)} → ${loadAfter[0]!.toFixed(2)}; ceiling ${Math.round(ceiling).toLocaleString("en-US")} req/s` +
    `${ceilingDrift !== undefined ? ` (end/start ${ceilingDrift.toFixed(2)})` : ""}; ${settings.connections} connections, ${settings.durationSeconds} s per throughput scenario\n`,
);
console.log(formatTable(ceiling));
console.log("");
for (const row of rows) if (row.note && row.value !== null) console.log(`- ${row.scenario}: ${row.note}`);
console.log(`\n${relative(process.cwd(), argv.out!) || argv.out} written in ${results.durationSeconds} s`);
if (failure) {
  console.error(`\nbenchmark failed: ${results.error}`);
  process.exitCode = 1;
}
