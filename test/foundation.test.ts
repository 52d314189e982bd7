import { spawnSync } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { freePort, repositoryRoot, startEmulator, startEmulatorProcess } from "./support/emulator";
import { basicAuthorization, getCurrent, postForm, serviceToken, tokenUrl } from "./support/oauth";

const tsx = join(repositoryRoot, "node_modules/.bin/tsx");
const gatewayEntry = join(repositoryRoot, "services/gateway/src/main.ts");

describe("all-in-one emulator", () => {
  it("answers health once migrated and seeded", async () => {
    const emulator = await startEmulator();
    try {
      const response = await fetch(`${emulator.baseUrl}/_emulate/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok", service: "all" });
    } finally {
      await emulator.stop();
    }
  });

  it("opens SQLite with WAL, a busy timeout and foreign keys", async () => {
    const emulator = await startEmulator();
    try {
      const client = emulator.platform.database.$client;
      expect(client.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(client.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(Number(client.pragma("busy_timeout", { simple: true }))).toBeGreaterThan(0);
    } finally {
      await emulator.stop();
    }
  });

  it("re-applies the seed idempotently: no duplicates, run-time state kept", async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), "foundry-restart-")), "foundry.db");
    const emulator = await startEmulator({ databasePath });
    const token = await serviceToken(emulator.baseUrl);
    const count = (table: string) => (emulator.platform.database.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const before = { principals: count("principals"), clients: count("oauth_clients"), secrets: count("oauth_client_secrets"), runtimes: count("runtimes") };
    await emulator.stop();

    const restarted = await startEmulator({ databasePath });
    try {
      const again = (table: string) => (restarted.platform.database.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      expect({ principals: again("principals"), clients: again("oauth_clients"), secrets: again("oauth_client_secrets"), runtimes: again("runtimes") }).toEqual(before);
      // The token issued before the restart is still valid: key and rows survived.
      expect((await getCurrent(restarted.baseUrl, token)).status).toBe(200);
    } finally {
      await restarted.stop();
    }
  });

  it("exits with status 1 and a clear message on a bad environment value", () => {
    const result = spawnSync(tsx, [gatewayEntry], { env: { ...process.env, FOUNDRY_ACCESS_TOKEN_TTL: "soon", FOUNDRY_DB: ":memory:" }, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("FOUNDRY_ACCESS_TOKEN_TTL");
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("exits with status 1 naming the exact path of a bad seed value", () => {
    const directory = mkdtempSync(join(tmpdir(), "foundry-seed-"));
    const seedPath = join(directory, "seed.yaml");
    writeFileSync(seedPath, "foundry:\n  oauth_clients:\n    - client_id: web\n      redirect_uris: [http://ok/cb, nope]\n");
    const result = spawnSync(tsx, [gatewayEntry], { env: { ...process.env, FOUNDRY_SEED: seedPath, FOUNDRY_DB: ":memory:", PORT: "0" }, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("foundry.oauth_clients[0].redirect_uris[1]");
  });

  it("migrates safely when two processes start together on a new database, and keeps tokens across a kill -9", async () => {
    const directory = mkdtempSync(join(tmpdir(), "foundry-two-"));
    const databasePath = join(directory, "foundry.db");
    const [portA, portB] = [await freePort(), await freePort()];
    const environment = { FOUNDRY_DB: databasePath, LOG_LEVEL: "silent" };
    const [first, second] = await Promise.all([startEmulatorProcess({ port: portA, environment }), startEmulatorProcess({ port: portB, environment })]);
    try {
      const inspect = new Database(databasePath, { readonly: true });
      const journal = inspect.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
      const keys = inspect.prepare("SELECT count(*) AS n FROM signing_keys").get() as { n: number };
      const users = inspect.prepare("SELECT count(*) AS n FROM principals WHERE kind = 'user'").get() as { n: number };
      inspect.close();
      const migrationCount = (JSON.parse(readFileSync(join(repositoryRoot, "migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;
      expect(journal.n).toBe(migrationCount);
      expect(keys.n).toBe(1);
      expect(users.n).toBe(3);

      // A token from one process is valid in the other (shared key, shared rows).
      const issued = await postForm(
        tokenUrl(first.baseUrl),
        { grant_type: "client_credentials", scope: "api:admin-read" },
        { Authorization: basicAuthorization("service-app", "service-app-secret") },
      );
      const token = issued.json.access_token as string;
      expect((await getCurrent(second.baseUrl, token)).status).toBe(200);

      // Killed without warning, the process loses nothing that was answered.
      await first.stop("SIGKILL");
      const restarted = await startEmulatorProcess({ port: portA, environment });
      try {
        expect((await getCurrent(restarted.baseUrl, token)).status).toBe(200);
      } finally {
        await restarted.stop();
      }
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
