// The image itself: how it is configured, and that each role starts healthy fast, as a non-root
// user, with no network at all.
import { afterAll, describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import { docker, emulatorImage, healthStatus, waitFor } from "./support/docker";

const started: string[] = [];

afterAll(async () => {
  if (started.length) await docker(["rm", "-f", "-v", ...started]).catch(() => undefined);
});

describe(`the ${emulatorImage} image`, () => {
  it("runs as a numeric non-root user, keeps data in a /data volume, seeds from /seeds, exposes 8080, checks its health", async () => {
    const { stdout } = await docker(["image", "inspect", emulatorImage]);
    const [image] = JSON.parse(stdout) as Array<{ Size: number; Config: Record<string, unknown> & { Env: string[] } }>;
    const config = image!.Config;
    expect(config.User).toMatch(/^[1-9][0-9]*:[0-9]+$/);
    expect(Object.keys(config.Volumes as object)).toEqual(["/data"]);
    expect(Object.keys(config.ExposedPorts as object)).toEqual(["8080/tcp"]);
    expect(config.Env).toEqual(expect.arrayContaining(["FOUNDRY_DB=/data/foundry.db", "FOUNDRY_SEED=/seeds/default.yaml", "FOUNDRY_MIGRATIONS=/app/migrations", "PORT=8080"]));
    expect((config.Healthcheck as { Test: string[] }).Test).toEqual(["CMD", "/app/docker/healthcheck.sh"]);
    expect(config.Cmd).toEqual(["all"]);
    console.log(`[image] ${emulatorImage}: ${(image!.Size / 1e6).toFixed(0)} MB`);
  });

  for (const role of ["all", "auth", "compute"] as const) {
    it(`starts the ${role} role healthy within seconds, without any network`, async () => {
      const t0 = performance.now();
      const { stdout } = await docker(["run", "-d", "--network", "none", emulatorImage, role]);
      const id = stdout.trim();
      started.push(id);
      await waitFor(`${role} healthy`, async () => ((await healthStatus(id)) === "healthy" ? true : undefined), 30_000, 25);
      const healthyAfter = performance.now() - t0;
      console.log(`[image] docker run ${role} → healthy: ${(healthyAfter / 1000).toFixed(2)} s`);
      // Target 2 s (1 s health interval); the bound leaves room for a busy machine.
      expect(healthyAfter).toBeLessThan(8_000);

      const { stdout: user } = await docker(["exec", id, "id", "-u"]);
      expect(user.trim()).toBe("1000");
      // The role's own health answer (the probe's status line plus its JSON body).
      const { stdout: health } = await docker(["exec", id, "node", "-e", "fetch('http://127.0.0.1:8080/_emulate/health').then(r=>r.text()).then(t=>process.stdout.write(t))"]);
      expect(JSON.parse(health)).toEqual({ status: "ok", service: role });
      const { stdout: logs } = await docker(["logs", id]);
      expect(logs).toContain(`"service":"${role}"`);
    });
  }

  it("prints a .env block for a seeded client (role env)", async () => {
    const { stdout } = await docker(["run", "--rm", "--network", "none", emulatorImage, "env", "--client", "service-app", "--url", "http://emulator.test:8080"]);
    expect(stdout).toContain("FOUNDRY_HOSTNAME=emulator.test:8080");
    expect(stdout).toContain("FOUNDRY_CLIENT_ID=service-app");
    expect(stdout).toContain("FOUNDRY_CLIENT_SECRET=service-app-secret");
  });

  it("exits with a clear message (status 1) on a bad seed", async () => {
    const { stdout } = await docker(["run", "-d", "--network", "none", "-e", "FOUNDRY_SEED=/seeds/missing.yaml", emulatorImage]);
    const id = stdout.trim();
    started.push(id);
    const exitCode = await waitFor("exit", async () => {
      const { stdout: state } = await docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id]);
      const [status, code] = state.trim().split(" ");
      return status === "exited" ? Number(code) : undefined;
    });
    expect(exitCode).toBe(1);
    const { stdout: out, stderr } = await docker(["logs", id]);
    expect(out + stderr).toContain("/seeds/missing.yaml");
    expect(out + stderr).not.toMatch(/\n\s+at /);
  });
});
