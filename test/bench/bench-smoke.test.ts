import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "../support/emulator";

// Benchmarks are not tests: this only proves that `npm run bench` runs end to end (every scenario
// group, tiny sizes, no Docker) and writes its results. No figure is asserted.
describe("bench/run.ts --quick", () => {
  const directory = mkdtempSync(join(tmpdir(), "foundry-bench-smoke-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("runs every scenario group and writes the results file", async () => {
    const out = join(directory, "results.json");
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      let output = "";
      const child = spawn(join(repositoryRoot, "node_modules/.bin/tsx"), [join(repositoryRoot, "bench/run.ts"), "--quick", "--out", out], {
        cwd: repositoryRoot,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.once("exit", (exitCode) => resolve({ code: exitCode, output }));
    });
    expect(code, output).toBe(0);
    const results = JSON.parse(readFileSync(out, "utf8")) as { ceiling: { requestsPerSecond: number }; rows: Array<{ id: string; value: number | null }>; error?: string };
    expect(results.error).toBeUndefined();
    expect(results.ceiling.requestsPerSecond).toBeGreaterThan(0);
    const ids = results.rows.map((row) => row.id);
    for (const id of [
      "client_credentials",
      "get_current",
      "pkce_flow",
      "sync_execute_c1",
      "sync_execute_c8",
      "async_jobs",
      "poll_latency_queued",
      "cold_start_empty",
      "cold_start_large",
      "rss_idle",
      "rss_after_jobs",
    ]) {
      expect(ids, id).toContain(id);
      expect(results.rows.find((row) => row.id === id)?.value, id).not.toBeNull();
    }
    expect(output).toContain("| Scenario |");
  }, 120_000);
});
