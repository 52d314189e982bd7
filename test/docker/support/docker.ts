import { execFile } from "node:child_process";
import { resolve } from "node:path";

export const repositoryRoot = resolve(import.meta.dirname, "../../..");
/** The image the compose file and FoundryEmulatorContainer use by default; global-setup builds it. */
export const emulatorImage = process.env.FOUNDRY_EMULATOR_IMAGE ?? "foundry-emulator:local";
export const exampleModuleImage = "foundry-emulator-example-module:local";
export const pythonModuleImage = "foundry-emulator-python-module:local";

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; rejects with its output when it fails or outlives the timeout. */
export function run(command: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? repositoryRoot,
        env: { ...process.env, DOCKER_BUILDKIT: "0", ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolvePromise({ stdout, stderr });
      },
    );
  });
}

export const docker = (args: string[], timeoutMs?: number) => run("docker", args, { timeoutMs });

export { freePort } from "../../support/emulator";

export const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Polls until `check` returns a value (not undefined), or throws after the timeout. */
export async function waitFor<T>(description: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}${lastError ? `: ${String(lastError)}` : ""}`);
    await sleep(intervalMs);
  }
}

export async function healthStatus(container: string): Promise<string> {
  const { stdout } = await docker(["inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", container]);
  return stdout.trim();
}

export function waitHealthy(container: string, timeoutMs = 60_000): Promise<true> {
  return waitFor(`${container} to be healthy`, async () => ((await healthStatus(container)) === "healthy" ? true : undefined), timeoutMs, 50);
}

/**
 * One compose project (its own name, so it never touches a developer's stack), driven with
 * docker-compose v1.29 by default or `docker compose` (FOUNDRY_COMPOSE="docker compose").
 */
export class ComposeProject {
  readonly command: string[];
  constructor(
    readonly name: string,
    readonly env: Record<string, string>,
    readonly profiles: string[] = [],
  ) {
    this.command = (process.env.FOUNDRY_COMPOSE ?? "docker-compose").split(" ");
  }

  compose(args: string[], timeoutMs = 300_000): Promise<RunResult> {
    const [program, ...rest] = this.command;
    const profileArgs = this.profiles.flatMap((profile) => ["--profile", profile]);
    return run(program!, [...rest, "-p", this.name, ...profileArgs, ...args], { env: this.env, timeoutMs });
  }

  /** The container of a service (v1 names it <project>_<service>_1, v2 <project>-<service>-1). */
  async container(service: string): Promise<string> {
    const { stdout } = await this.compose(["ps", "-q", service]);
    const id = stdout.trim().split("\n")[0];
    if (!id) throw new Error(`no container for ${service} in ${this.name}`);
    return id;
  }

  async logs(service?: string): Promise<string> {
    const { stdout } = await this.compose(["logs", "--no-color", "--tail", "200", ...(service ? [service] : [])]).catch((error: Error) => ({ stdout: error.message }));
    return stdout;
  }
}
