import { spawn, spawnSync } from "node:child_process";
import { freePort, probe, repositoryRoot } from "./processes";

export function dockerAvailable(): boolean {
  const result = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 15_000 });
  return result.status === 0 && result.stdout.trim().length > 0;
}

function run(command: string, args: string[], environment: Record<string, string> = {}, timeoutMs = 600_000) {
  const result = spawnSync(command, args, { cwd: repositoryRoot, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, ...environment }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).slice(-2000)}`);
  }
  return result.stdout;
}

/** `DOCKER_BUILDKIT=0 docker build -t <tag> .` (cached layers make a rebuild of unchanged sources quick). Returns ms. */
export function buildImage(tag: string): number {
  const started = performance.now();
  run("docker", ["build", "-q", "-t", tag, "."], { DOCKER_BUILDKIT: "0" });
  return performance.now() - started;
}

export interface ContainerStart {
  /** `docker run` → 200 on /_emulate/health through the published port. */
  httpMilliseconds: number;
  /** `docker run` → Docker reports the container healthy (HEALTHCHECK, 1 s interval). */
  healthyMilliseconds: number;
}

/** One cold start of the image's all-in-one role, on a new anonymous /data volume. */
export async function containerColdStart(tag: string, name: string): Promise<ContainerStart> {
  const port = await freePort();
  const since = new Date(Date.now() - 1000).toISOString();
  // One `docker events` stream (not a `docker inspect` per poll, which would load the machine).
  const events = spawn("docker", ["events", "--since", since, "--filter", `container=${name}`, "--filter", "event=health_status", "--format", "{{.Status}}"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let healthyAt: number | undefined;
  const healthy = new Promise<void>((resolve) => {
    events.stdout.on("data", (chunk: Buffer) => {
      if (healthyAt === undefined && chunk.toString().includes("healthy") && !chunk.toString().includes("unhealthy")) {
        healthyAt = performance.now();
        resolve();
      }
    });
  });
  const startedAt = performance.now();
  try {
    const runner = spawn("docker", ["run", "-d", "--name", name, "-p", `127.0.0.1:${port}:8080`, "-e", `FOUNDRY_PUBLIC_URL=http://127.0.0.1:${port}`, tag], { stdio: "ignore" });
    const runExit = new Promise<number>((resolve) => runner.once("exit", (code) => resolve(code ?? 1)));
    let httpAt: number | undefined;
    const deadline = startedAt + 60_000;
    while (httpAt === undefined) {
      if ((await probe(`http://127.0.0.1:${port}/_emulate/health`, 1000)) === 200) httpAt = performance.now();
      else if (performance.now() > deadline) throw new Error(`container ${name}: no 200 within 60 s`);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if ((await runExit) !== 0) throw new Error(`docker run ${name} failed`);
    await Promise.race([healthy, new Promise((_, reject) => setTimeout(() => reject(new Error(`container ${name}: not healthy within 60 s`)), 60_000).unref())]);
    return { httpMilliseconds: httpAt - startedAt, healthyMilliseconds: healthyAt! - startedAt };
  } finally {
    events.kill("SIGTERM");
    spawnSync("docker", ["rm", "-fv", name], { stdio: "ignore", timeout: 60_000 });
  }
}

export interface ComposeStack {
  baseUrl: string;
  upMilliseconds: number;
  down(): void;
}

/** The compose stack (auth + compute behind nginx) on a free port, with the benchmark's image. */
export async function startComposeStack(tag: string, project: string): Promise<ComposeStack> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const environment = { FOUNDRY_EMULATOR_IMAGE: tag, FOUNDRY_GATEWAY_PORT: String(port), FOUNDRY_PUBLIC_URL: baseUrl };
  const down = () => {
    spawnSync("docker", ["compose", "-p", project, "-f", "docker-compose.yml", "down", "-v", "--remove-orphans"], {
      cwd: repositoryRoot,
      env: { ...process.env, ...environment },
      stdio: "ignore",
      timeout: 120_000,
    });
  };
  const started = performance.now();
  try {
    run("docker", ["compose", "-p", project, "-f", "docker-compose.yml", "up", "-d", "--no-build"], environment, 180_000);
    const deadline = performance.now() + 90_000;
    while ((await probe(`${baseUrl}/_emulate/health`, 1000)) !== 200) {
      if (performance.now() > deadline) throw new Error("compose stack: the gateway did not answer 200 within 90 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    down();
    throw error;
  }
  return { baseUrl, upMilliseconds: performance.now() - started, down };
}
