// @foundry-emulator/testcontainers as a user's integration suite would use it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { Users } from "@osdk/foundry.admin";
import { createSharedClientContext } from "@osdk/shared.client.impl";
import { FoundryEmulatorContainer, type StartedFoundryEmulatorContainer } from "@foundry-emulator/testcontainers";
import { repositoryRoot } from "./support/docker";

const getCurrent = (baseUrl: string, token: string) => Users.getCurrent(createSharedClientContext(baseUrl, async () => token, "foundry-emulator-docker-tests/1.0"));

describe("FoundryEmulatorContainer with the default seed", () => {
  let emulator: StartedFoundryEmulatorContainer;
  let module: ChildProcess | undefined;
  const directory = mkdtempSync(join(tmpdir(), "foundry-emulator-tc-"));

  beforeAll(async () => {
    const started = performance.now();
    emulator = await new FoundryEmulatorContainer().start();
    console.log(`[testcontainers] start() → healthy: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  });

  afterAll(async () => {
    module?.kill("SIGKILL");
    await emulator?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("offers the emulator's base URL, healthy", async () => {
    expect(emulator.getBaseUrl()).toMatch(/^http:\/\/[^/]+:\d+$/);
    const response = await fetch(`${emulator.getBaseUrl()}/_emulate/health`);
    expect(await response.json()).toEqual({ status: "ok", service: "all" });
  });

  it("gets a client_credentials token", async () => {
    const tokens = await emulator.getClientCredentialsToken("service-app", "service-app-secret", ["api:admin-read"]);
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect((await getCurrent(emulator.getBaseUrl(), tokens.access_token)).username).toBe("service-app");
  });

  it("signs a seeded user in (authorization code + PKCE) without a browser", async () => {
    const tokens = await emulator.loginAs("alice", { scopes: ["api:admin-read", "offline_access"] });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect((await getCurrent(emulator.getBaseUrl(), tokens.access_token)).username).toBe("alice");

    const bob = await emulator.loginAs("bob", { clientId: "public-app", redirectUri: "http://127.0.0.1:5173/auth/callback", scopes: ["api:admin-read"] });
    expect((await getCurrent(emulator.getBaseUrl(), bob.access_token)).username).toBe("bob");

    await expect(emulator.loginAs("carol.inactive")).rejects.toThrow(/not offered/);
  });

  it("mints a token through the control plane", async () => {
    const tokens = await emulator.mintToken({ username: "bob", scopes: ["api:admin-read"] });
    expect((await getCurrent(emulator.getBaseUrl(), tokens.access_token)).username).toBe("bob");
  });

  it("creates a runtime whose environment a real module on this machine can use", async () => {
    const deployedAppRid = "ri.foundry.main.deployed-app.testcontainers-example";
    const session = await emulator.createRuntime({ runtimeId: "testcontainers-example", deployedAppRid, filesDirectory: join(directory, "module-files") });
    expect(session.getJobUri).toBe(`${emulator.getBaseUrl()}/_emulate/foundry/compute-modules/runtimes/testcontainers-example/job`);
    expect(session.environment.GET_JOB_URI).toBe(session.getJobUri);
    expect(session.environment.RUNTIME_PORT).toBe(String(new URL(emulator.getBaseUrl()).port));

    for (const file of session.files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
    }
    let output = "";
    module = spawn(process.execPath, [join(repositoryRoot, "examples/compute-module/index.mjs")], {
      cwd: repositoryRoot,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...session.environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    module.stdout!.on("data", (chunk) => (output += chunk));
    module.stderr!.on("data", (chunk) => (output += chunk));

    const { access_token: token } = await emulator.getClientCredentialsToken("service-app", "service-app-secret", []);
    const execute = () =>
      fetch(`${emulator.getBaseUrl()}/contour-backend-multiplexer/api/module-group-multiplexer/compute-modules/jobs/execute`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ deployedAppRid, queryType: "add", query: { x: 20, y: 22 } }),
      });
    const response = await execute();
    expect(response.status, output).toBe(200);
    expect(await response.text()).toBe("42");
  });

  it("reset() returns to the seed: tokens issued since start stop working", async () => {
    const { access_token: token } = await emulator.getClientCredentialsToken("service-app", "service-app-secret", ["api:admin-read"]);
    expect((await getCurrent(emulator.getBaseUrl(), token)).username).toBe("service-app");
    await emulator.reset();
    await expect(getCurrent(emulator.getBaseUrl(), token)).rejects.toMatchObject({ statusCode: 401 });
    // The seed is still there.
    const again = await emulator.getClientCredentialsToken("service-app", "service-app-secret", ["api:admin-read"]);
    expect((await getCurrent(emulator.getBaseUrl(), again.access_token)).username).toBe("service-app");
  });
});

describe("FoundryEmulatorContainer with a seed of its own", () => {
  const seed = {
    foundry: {
      users: [{ username: "dana", display_name: "Dana Developer", email: "dana@example.test" }],
      oauth_clients: [
        {
          client_id: "suite-app",
          client_secret: "suite-app-secret",
          name: "Suite",
          redirect_uris: ["http://localhost:4000/cb"],
          grant_types: ["authorization_code", "client_credentials"],
          allowed_scopes: ["api:admin-read"],
        },
      ],
    },
  };
  const directory = mkdtempSync(join(tmpdir(), "foundry-emulator-tc-seed-"));
  const containers: StartedFoundryEmulatorContainer[] = [];

  afterAll(async () => {
    await Promise.all(containers.map((container) => container.stop()));
    rmSync(directory, { recursive: true, force: true });
  });

  it("takes the seed as an object", async () => {
    const emulator = await new FoundryEmulatorContainer().withSeed(seed).start();
    containers.push(emulator);
    const tokens = await emulator.loginAs("dana", { clientId: "suite-app", clientSecret: "suite-app-secret", scopes: ["api:admin-read"] });
    expect((await getCurrent(emulator.getBaseUrl(), tokens.access_token)).username).toBe("dana");
    await expect(emulator.loginAs("alice", { clientId: "suite-app", clientSecret: "suite-app-secret" })).rejects.toThrow(/not offered/);
  });

  it("takes the seed from a file, and sends the admin token the control plane then requires", async () => {
    const seedFile = join(directory, "seed.yaml");
    writeFileSync(seedFile, ["foundry:", "  users:", "    - username: erin", "      display_name: Erin", ""].join("\n"));
    const emulator = await new FoundryEmulatorContainer().withSeedFile(seedFile).withAdminToken("suite-admin-token").start();
    containers.push(emulator);
    const minted = await emulator.mintToken({ username: "erin", scopes: ["api:admin-read"] });
    expect((await getCurrent(emulator.getBaseUrl(), minted.access_token)).username).toBe("erin");

    const unauthenticated = await fetch(`${emulator.getBaseUrl()}/_emulate/reset`, { method: "POST" });
    expect(unauthenticated.status).toBe(401);
    await expect(emulator.reset()).resolves.toBeUndefined();
  });

  it("reports a bad seed (with the emulator's message) instead of waiting for the timeout", async () => {
    const started = performance.now();
    const start = new FoundryEmulatorContainer().withSeed("foundry:\n  users: 42\n").withStartupTimeout(30_000).start();
    await expect(start).rejects.toThrow(/exited[\s\S]*seed/i);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
