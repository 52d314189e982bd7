/**
 * Benchmark of the compute service with a real module (not a test): run `npx tsx bench/compute.ts`.
 *
 * Starts the all-in-one emulator in this process on a free port, a real @palantir/compute-module
 * process (test/compute/fixtures/example-module.mjs) with the environment the runtime endpoint
 * returns, and a token from the auth service (client_credentials). Then measures:
 *   - sync execute round trips, one at a time (p50/p99 over --calls, default 1000);
 *   - sync execute with 8 calls in flight (throughput);
 *   - async submit → status (until succeeded) → result, one at a time.
 * Bounded in time (--seconds, default 120): a phase stops early when the budget runs out.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createPlatform, listen } from "@foundry-emulator/bootstrap";
import { loadEnvironment } from "@foundry-emulator/config";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { createGatewayApp } from "@foundry-emulator/gateway";

const { values: options } = parseArgs({ options: { calls: { type: "string", default: "1000" }, seconds: { type: "string", default: "120" } } });
const calls = Math.max(500, Number(options.calls));
const deadline = performance.now() + Number(options.seconds) * 1000;
const root = resolve(import.meta.dirname, "..");
const deployedAppRid = "ri.foundry.main.deployed-app.benchmark";

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function summarize(name: string, latencies: number[], wallMs: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const row = {
    phase: name,
    calls: sorted.length,
    "p50 ms": percentile(sorted, 0.5).toFixed(2),
    "p99 ms": percentile(sorted, 0.99).toFixed(2),
    "mean ms": mean.toFixed(2),
    "max ms": sorted[sorted.length - 1]!.toFixed(2),
    "calls/s": ((sorted.length / wallMs) * 1000).toFixed(0),
  };
  return row;
}

const directory = mkdtempSync(join(tmpdir(), "foundry-emulator-bench-"));
const port = await freePort();
const environment = loadEnvironment({
  PORT: String(port),
  HOST: "127.0.0.1",
  FOUNDRY_DB: join(directory, "foundry.db"),
  FOUNDRY_SEED: join(root, "seeds/default.yaml"),
  FOUNDRY_PUBLIC_URL: `http://127.0.0.1:${port}`,
  LOG_LEVEL: "silent",
});
const platform = await createPlatform(environment);
const server = await listen(createGatewayApp({ auth: createAuthApp(platform), compute: createComputeApp(platform) }), port, "127.0.0.1");
const baseUrl = `http://127.0.0.1:${port}`;
const contour = `${baseUrl}/contour-backend-multiplexer/api/module-group-multiplexer`;

const tokenResponse = await fetch(`${baseUrl}/multipass/api/oauth2/token`, {
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from("service-app:service-app-secret").toString("base64")}` },
  body: new URLSearchParams({ grant_type: "client_credentials", scope: "api:read-data" }),
});
if (!tokenResponse.ok) throw new Error(`token: ${tokenResponse.status} ${await tokenResponse.text()}`);
const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
const headers = { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" };

const session = (await (
  await fetch(`${baseUrl}/_emulate/foundry/compute-modules/runtimes`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ runtimeId: "benchmark", deployedAppRid, filesDirectory: join(directory, "module") }),
  })
).json()) as { environment: Record<string, string>; files: Array<{ path: string; content: string }> };
for (const file of session.files) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.content);
}
const module = spawn(process.execPath, [join(root, "test/compute/fixtures/example-module.mjs")], {
  cwd: root,
  env: { PATH: process.env.PATH ?? "", ...session.environment },
  stdio: ["ignore", "inherit", "inherit"],
});

async function execute(x: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${contour}/compute-modules/jobs/execute`, {
    method: "POST",
    headers: { ...headers, Accept: "application/octet-stream" },
    body: JSON.stringify({ deployedAppRid, deployedAppBranch: "master", queryType: "add", query: { x, y: 1 } }),
  });
  const text = await response.text();
  if (response.status !== 200 || text !== String(x + 1)) throw new Error(`execute: ${response.status} ${text}`);
  return performance.now() - started;
}

async function submitAndFetch(x: number): Promise<number> {
  const started = performance.now();
  const submitted = await fetch(`${contour}/deployed-apps/jobs`, { method: "POST", headers, body: JSON.stringify({ deployedAppRid, queryType: "add", query: { x, y: 2 } }) });
  const job = (await submitted.json()) as { id: string };
  for (;;) {
    const status = (await (await fetch(`${contour}/jobs/${job.id}/status`, { headers })).json()) as { type: string };
    if (status.type === "succeeded") break;
    if (status.type !== "queued" && status.type !== "inProgress") throw new Error(`job ${job.id}: ${status.type}`);
  }
  const result = await fetch(`${contour}/jobs/result/v2`, { method: "PUT", headers: { ...headers, Accept: "application/octet-stream" }, body: JSON.stringify(job) });
  const text = await result.text();
  if (text !== String(x + 2)) throw new Error(`result: ${text}`);
  return performance.now() - started;
}

const budgetLeft = () => performance.now() < deadline;

try {
  // The module is ready once it answers (its first poll is held until a job arrives).
  await execute(0);
  for (let index = 0; index < 50; index += 1) await execute(index); // warm-up

  const rows = [];

  let latencies: number[] = [];
  let started = performance.now();
  for (let index = 0; index < calls && budgetLeft(); index += 1) latencies.push(await execute(index));
  rows.push(summarize("sync execute, sequential", latencies, performance.now() - started));

  latencies = [];
  started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < calls && budgetLeft()) latencies.push(await execute(next++));
    }),
  );
  rows.push(summarize("sync execute, 8 in flight", latencies, performance.now() - started));

  latencies = [];
  started = performance.now();
  const asyncCalls = Math.max(200, Math.floor(calls / 2));
  for (let index = 0; index < asyncCalls && budgetLeft(); index += 1) latencies.push(await submitAndFetch(index));
  rows.push(summarize("async submit → status → result", latencies, performance.now() - started));

  console.log(`foundry-emulator compute benchmark — Node ${process.version}, ${availableParallelism()} CPU(s), emulator and module on one machine`);
  console.table(rows);
} finally {
  module.kill("SIGKILL");
  await server.close();
  platform.database.$client.close();
  rmSync(directory, { recursive: true, force: true });
}
