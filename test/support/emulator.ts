import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createPlatform, listen, type Platform } from "@foundry-emulator/bootstrap";
import { loadEnvironment } from "@foundry-emulator/config";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { createGatewayApp } from "@foundry-emulator/gateway";

export const repositoryRoot = resolve(import.meta.dirname, "../..");
export const defaultSeedPath = join(repositoryRoot, "seeds/default.yaml");

export interface TestEmulator {
  baseUrl: string;
  port: number;
  platform: Platform;
  databasePath: string;
  directory: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment variables (FOUNDRY_ACCESS_TOKEN_TTL, ...). */
  environment?: Record<string, string>;
  /** Seed text (YAML/JSON) written to a temporary file; defaults to seeds/default.yaml. */
  seed?: string;
  /** Reuse a database file (to test restarts). */
  databasePath?: string;
  now?: () => number;
}

/** Starts the all-in-one emulator in this process on a free port, with its own database file. */
export async function startEmulator(options: StartOptions = {}): Promise<TestEmulator> {
  const directory = mkdtempSync(join(tmpdir(), "foundry-emulator-test-"));
  const databasePath = options.databasePath ?? join(directory, "foundry.db");
  let seedPath = defaultSeedPath;
  if (options.seed !== undefined) {
    seedPath = join(directory, "seed.yaml");
    writeFileSync(seedPath, options.seed);
  }
  const environment = loadEnvironment({
    PORT: "0",
    HOST: "127.0.0.1",
    FOUNDRY_DB: databasePath,
    FOUNDRY_SEED: seedPath,
    LOG_LEVEL: "silent",
    ...options.environment,
  });
  const platform = await createPlatform(environment, options.now ? { now: options.now } : {});
  const app = createGatewayApp({ auth: createAuthApp(platform), compute: createComputeApp(platform) });
  const running = await listen(app, 0, "127.0.0.1");
  const baseUrl = `http://127.0.0.1:${running.port}`;
  return {
    baseUrl,
    port: running.port,
    platform,
    databasePath,
    directory,
    async stop() {
      await running.close();
      platform.database.$client.close();
      if (!options.databasePath) rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface EmulatorProcess {
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `npm start`'s entry point as a separate process (for restart and multi-process tests). */
export async function startEmulatorProcess(options: { entry?: "gateway" | "auth" | "compute"; port: number; environment: Record<string, string> }): Promise<EmulatorProcess> {
  const entry = join(repositoryRoot, `services/${options.entry ?? "gateway"}/src/main.ts`);
  const tsx = join(repositoryRoot, "node_modules/.bin/tsx");
  let output = "";
  const child = spawn(tsx, [entry], {
    env: { ...process.env, PORT: String(options.port), HOST: "127.0.0.1", LOG_LEVEL: "info", ...options.environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}: ${output}`);
    try {
      const response = await fetch(`${baseUrl}/_emulate/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`emulator did not become healthy: ${output}`);
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    baseUrl,
    child,
    output: () => output,
    stop: (signal = "SIGTERM") =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
        child.once("exit", (code) => done(code));
        child.kill(signal);
      }),
  };
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}
