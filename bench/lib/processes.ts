import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";

export const repositoryRoot = join(import.meta.dirname, "../..");

/** How the emulator under test is started. */
export type ServerKind =
  /** `node dist/all.mjs`: the production bundle, what the image runs. */
  | "bundle"
  /** `npm start`: tsx on the TypeScript sources. */
  | "npm-start"
  /** The ceiling: a bare @hono/node-server route (bench/ceiling-server.mjs). */
  | "ceiling";

export interface ServerProcess {
  kind: ServerKind;
  child: ChildProcess;
  baseUrl: string;
  port: number;
  /** ms from spawn to the first 200 on the health path. */
  startMilliseconds: number;
  output(): string;
  /** Resident set size of the server's node process, in MiB (VmRSS). */
  rssMiB(): number;
  /** Its private, anonymous part (RssAnon): heap, stacks, caches; not the shared node binary. */
  rssAnonMiB(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** One GET without keep-alive: the status, or 0 when nothing listens yet. */
export function probe(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.on("error", () => resolve(0));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(0));
    request.end();
  });
}

/**
 * Polls `url` every `intervalMs` until it answers 200; resolves with the time since `startedAt`
 * (performance.now()). Refused connections on loopback cost microseconds, so polling every 2 ms
 * barely competes with the process starting up.
 */
export async function waitForHealthy(
  url: string,
  startedAt: number,
  options: { timeoutMs?: number; intervalMs?: number; exited?: () => string | undefined } = {},
): Promise<number> {
  const deadline = startedAt + (options.timeoutMs ?? 60_000);
  for (;;) {
    const status = await probe(url);
    if (status === 200) return performance.now() - startedAt;
    const exited = options.exited?.();
    if (exited) throw new Error(exited);
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${options.timeoutMs ?? 60_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2));
  }
}

export function rssMiBOf(pid: number, field: "VmRSS" | "RssAnon" = "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Node's own pid under `npm start` (npm → sh → tsx → node): the deepest descendant named node. */
function nodeDescendantOf(pid: number): number {
  let current = pid;
  for (let depth = 0; depth < 6; depth += 1) {
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${current}/task/${current}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      break;
    }
    if (children.length === 0) break;
    current = children[children.length - 1]!;
  }
  return current;
}

export interface StartServerOptions {
  kind: ServerKind;
  environment?: Record<string, string>;
  port?: number;
  /** Extra node flags for the bundle (e.g. --cpu-prof). */
  nodeFlags?: string[];
  healthPath?: string;
  /** Where the server's stdout and stderr go (a file, as `docker logs` or a CI log would keep them). */
  logDirectory?: string;
}

let serverCounter = 0;

/** Starts a server in its own process group (so `npm start`'s tree stops as one) and waits until healthy. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    PORT: String(port),
    HOST: "127.0.0.1",
    FOUNDRY_PUBLIC_URL: baseUrl,
    ...options.environment,
  };
  let command: string;
  let args: string[];
  switch (options.kind) {
    case "bundle":
      command = process.execPath;
      args = [...(options.nodeFlags ?? []), join(repositoryRoot, "dist/all.mjs")];
      break;
    case "npm-start":
      command = "npm";
      args = ["start", "--silent"];
      break;
    case "ceiling":
      command = process.execPath;
      args = [join(repositoryRoot, "bench/ceiling-server.mjs")];
      break;
  }
  // The request log goes to a file: no reader in this process competes with the load generator.
  serverCounter += 1;
  const logPath = `${options.logDirectory ?? tmpdir()}/server-${process.pid}-${serverCounter}.log`;
  const logFile = openSync(logPath, "w");
  const output = () => {
    try {
      return readFileSync(logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  };
  const startedAt = performance.now();
  const child = spawn(command, args, { cwd: repositoryRoot, env: environment, stdio: ["ignore", logFile, logFile], detached: true });
  closeSync(logFile);
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? `${options.kind} exited (${child.exitCode ?? child.signalCode}): ${output()}` : undefined);
  let startMilliseconds: number;
  try {
    startMilliseconds = await waitForHealthy(`${baseUrl}${options.healthPath ?? (options.kind === "ceiling" ? "/" : "/_emulate/health")}`, startedAt, { exited });
  } catch (error) {
    stopGroup(child);
    throw error;
  }
  const nodePid = options.kind === "npm-start" ? nodeDescendantOf(child.pid!) : child.pid!;
  return {
    kind: options.kind,
    child,
    baseUrl,
    port,
    startMilliseconds,
    output,
    rssMiB: () => rssMiBOf(nodePid),
    rssAnonMiB: () => rssMiBOf(nodePid, "RssAnon"),
    stop: () => stopGroup(child),
  };
}

/** SIGTERM to the process group we started; SIGKILL if it has not exited after 5 s. */
export function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
