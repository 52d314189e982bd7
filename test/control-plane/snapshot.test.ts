import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createPlatform, type Platform } from "@foundry-emulator/bootstrap";
import { loadEnvironment } from "@foundry-emulator/config";
import { currentSchemaVersion, emulatorTables, openDatabase, tablesKeptOnRestore } from "@foundry-emulator/db";
import { repositoryRoot, startEmulator, type TestEmulator } from "../support/emulator";
import { getCurrent } from "../support/oauth";

const migrationsFolder = join(repositoryRoot, "migrations");
const migrationJournal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };

async function takeSnapshot(baseUrl: string): Promise<Buffer> {
  const response = await fetch(`${baseUrl}/_emulate/snapshot`, { method: "POST" });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const restore = (baseUrl: string, body: Uint8Array | string) =>
  fetch(`${baseUrl}/_emulate/restore`, { method: "POST", headers: { "Content-Type": "application/vnd.sqlite3" }, body: typeof body === "string" ? body : new Uint8Array(body) });

async function mint(baseUrl: string, username: string, scopes = ["api:admin-read"]): Promise<string> {
  const response = await fetch(`${baseUrl}/_emulate/foundry/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, scopes }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function createPersonalToken(baseUrl: string, username: string) {
  const response = await fetch(`${baseUrl}/_emulate/foundry/personal-tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, scopes: ["api:admin-read"] }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string; tokenId: string };
}

/** Every table's rows and the signing key: what a refused restore must leave exactly as it was. */
function stateOf(platform: Platform) {
  const client = platform.database.$client;
  // The request journal is written in the background (and kept by a restore): leave it out.
  const rows = Object.fromEntries(
    emulatorTables()
      .filter((table) => !tablesKeptOnRestore.includes(table.name))
      .map((table) => [table.name, client.prepare(`SELECT * FROM "${table.name}" ORDER BY rowid`).all()]),
  );
  return { rows, journal: client.prepare('SELECT * FROM "__drizzle_migrations" ORDER BY id').all() };
}

const scratchDirectories: string[] = [];
const scratch = () => {
  const directory = mkdtempSync(join(tmpdir(), "foundry-snapshot-test-"));
  scratchDirectories.push(directory);
  return directory;
};
afterAll(() => {
  for (const directory of scratchDirectories) rmSync(directory, { recursive: true, force: true });
});

function fileOf(bytes: Uint8Array): string {
  const path = join(scratch(), "snapshot.db");
  writeFileSync(path, bytes);
  return path;
}

describe("POST /_emulate/snapshot", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it("downloads a consistent, self-contained copy of the database", async () => {
    const response = await fetch(`${emulator.baseUrl}/_emulate/snapshot`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.sqlite3");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="foundry-emulator-\d{8}T\d{6}Z\.db"$/);
    expect(response.headers.get("x-foundry-emulator-schema")).toBe(migrationJournal.entries.at(-1)!.tag);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
    expect(bytes[18]).toBe(1); // rollback journal: one file, no -wal beside it

    const copy = new Database(fileOf(bytes), { readonly: true });
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      const users = (database: Database.Database) => database.prepare("SELECT username FROM principals ORDER BY username").all();
      expect(users(copy)).toEqual(users(emulator.platform.database.$client));
    } finally {
      copy.close();
    }
  });

  it("stays consistent while another connection keeps writing", async () => {
    const other = openDatabase({ path: emulator.databasePath });
    let written = 0;
    const writer = setInterval(() => {
      other.$client
        .prepare("INSERT INTO authorization_requests (id, client_id, redirect_uri, redirect_uri_sent, scopes, created_at, expires_at) VALUES (?, 'x', 'http://x', 0, '[]', 0, 0)")
        .run(`concurrent-${written++}`);
    }, 1);
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const copy = new Database(fileOf(await takeSnapshot(emulator.baseUrl)), { readonly: true });
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        copy.close();
      }
    } finally {
      clearInterval(writer);
      other.$client.close();
    }
    expect(written).toBeGreaterThan(0);
  });
});

describe("POST /_emulate/restore", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it("returns to a known-good state: tokens issued before stay valid, later changes are gone", async () => {
    const before = await mint(emulator.baseUrl, "alice");
    const personal = await createPersonalToken(emulator.baseUrl, "bob");
    const knownGood = await takeSnapshot(emulator.baseUrl);

    const after = await mint(emulator.baseUrl, "bob");
    expect((await getCurrent(emulator.baseUrl, after)).status).toBe(200);
    expect((await fetch(`${emulator.baseUrl}/_emulate/foundry/personal-tokens/${personal.tokenId}`, { method: "DELETE" })).status).toBe(204);
    const seeded = await fetch(`${emulator.baseUrl}/_emulate/seed`, {
      method: "POST",
      headers: { "Content-Type": "application/yaml" },
      body: "foundry:\n  users: [{ username: after-snapshot }]\n",
    });
    expect(seeded.status).toBe(200);

    const response = await restore(emulator.baseUrl, knownGood);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      migrationsApplied: number;
      schemaVersion: string;
      signingKey: string;
      kept: string[];
      tables: Record<string, number>;
    };
    expect(body).toMatchObject({ status: "restored", migrationsApplied: 0, schemaVersion: migrationJournal.entries.at(-1)!.tag, signingKey: "snapshot" });
    expect(body.kept).toContain("certificates");
    expect(body.tables.principals).toBeGreaterThan(0);

    expect((await getCurrent(emulator.baseUrl, before)).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, after)).status).toBe(401); // verified (and cached) before, absent now
    expect((await getCurrent(emulator.baseUrl, personal.token)).status).toBe(200); // its revocation is undone
    const count = emulator.platform.database.$client.prepare("SELECT count(*) AS n FROM principals WHERE username = 'after-snapshot'").get() as { n: number };
    expect(count.n).toBe(0);
    // And the emulator carries on.
    expect((await getCurrent(emulator.baseUrl, await mint(emulator.baseUrl, "bob"))).status).toBe(200);
  });

  describe("refuses, changing nothing,", () => {
    let knownGood: Buffer;
    beforeAll(async () => {
      knownGood = await takeSnapshot(emulator.baseUrl);
    });

    async function expectRefused(body: Uint8Array | string, status: number, errorName: string) {
      const state = stateOf(emulator.platform);
      const response = await restore(emulator.baseUrl, body);
      expect(response.status).toBe(status);
      const error = (await response.json()) as { errorName: string; parameters: Record<string, unknown> };
      expect(error.errorName).toBe(errorName);
      expect(stateOf(emulator.platform)).toEqual(state);
      return error;
    }

    it("a body that is not an SQLite file, or none", async () => {
      await expectRefused("this is not a database", 400, "InvalidSnapshot");
      await expectRefused("", 400, "InvalidSnapshot");
    });

    it("a corrupt database", async () => {
      await expectRefused(knownGood.subarray(0, Math.floor(knownGood.length / 2)), 400, "InvalidSnapshot");
      const damaged = Buffer.from(knownGood);
      const pageSize = damaged.readUInt16BE(16) === 1 ? 65536 : damaged.readUInt16BE(16);
      for (let page = 1; page * pageSize < damaged.length; page += 1) damaged.fill(0xa5, page * pageSize, page * pageSize + 24);
      await expectRefused(damaged, 400, "InvalidSnapshot");
    });

    it("another application's SQLite database", async () => {
      const path = join(scratch(), "foreign.db");
      const foreign = new Database(path);
      foreign.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')");
      foreign.close();
      const error = await expectRefused(readFileSync(path), 400, "InvalidSnapshot");
      expect(String(error.parameters.reason)).toContain("migration journal");

      // Another drizzle application: a journal, but of migrations this emulator never had.
      const drizzleApp = new Database(path);
      drizzleApp.exec(
        'CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric); INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (\'abc\', 1600000000000)',
      );
      drizzleApp.close();
      await expectRefused(readFileSync(path), 400, "InvalidSnapshot");
    });

    it("rows whose foreign keys point nowhere", async () => {
      const path = fileOf(knownGood);
      const orphan = new Database(path);
      orphan.pragma("foreign_keys = OFF");
      orphan.prepare("INSERT INTO oauth_client_secrets (id, client_id, secret_hash, origin, created_at) VALUES ('orphan', 'no-such-client', 'x', 'seed', 0)").run();
      orphan.close();
      const error = await expectRefused(readFileSync(path), 400, "InvalidSnapshot");
      expect(String(error.parameters.reason)).toContain("foreign key");
    });

    it("a snapshot from a newer schema than this build's", async () => {
      const path = fileOf(knownGood);
      const newer = new Database(path);
      newer.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run("from-the-future", migrationJournal.entries.at(-1)!.when + 86_400_000);
      newer.close();
      const error = await expectRefused(readFileSync(path), 409, "SnapshotSchemaTooNew");
      expect(error.parameters.currentSchemaVersion).toBe(currentSchemaVersion());
    });
  });

  it("migrates a snapshot from an older schema", async () => {
    // A database made by a build that had only the first migration.
    const directory = scratch();
    const oldMigrations = join(directory, "migrations");
    cpSync(migrationsFolder, oldMigrations, { recursive: true });
    writeFileSync(join(oldMigrations, "meta/_journal.json"), JSON.stringify({ ...migrationJournal, entries: migrationJournal.entries.slice(0, 1) }));
    const path = join(directory, "old.db");
    const old = openDatabase({ path, migrationsFolder: oldMigrations });
    old.$client.exec(`
      INSERT INTO principals (id, kind, username, realm, origin, created_at) VALUES ('6f1c9b52-0000-4000-8000-000000000001', 'user', 'legacy-user', 'palantir-internal-realm', 'seed', 1);
      INSERT INTO jobs (id, runtime_id, query_type, query, submitted_by, status, created_at) VALUES ('legacy-job', 'agent-loop', 'q', '{}', 'someone', 'succeeded', 1);
    `);
    expect(old.$client.prepare("SELECT name FROM pragma_table_info('jobs') WHERE name = 'submitted_scopes'").get()).toBeUndefined();
    old.$client.pragma("journal_mode = DELETE");
    old.$client.close();

    const keyBefore = emulator.platform.database.$client.prepare("SELECT public_jwk FROM signing_keys").get();
    const response = await restore(emulator.baseUrl, readFileSync(path));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "restored",
      schemaVersion: migrationJournal.entries[0]!.tag,
      migrationsApplied: migrationJournal.entries.length - 1,
      signingKey: "kept", // the old database had none: the live key stays
    });
    const client = emulator.platform.database.$client;
    expect(client.prepare("SELECT username FROM principals").all()).toEqual([{ username: "legacy-user" }]);
    expect(client.prepare("SELECT submitted_scopes FROM jobs WHERE id = 'legacy-job'").get()).toEqual({ submitted_scopes: "[]" });
    expect(client.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: migrationJournal.entries.length });
    expect(client.prepare("SELECT public_jwk FROM signing_keys").get()).toEqual(keyBefore);
  });
});

describe("a snapshot of another environment", () => {
  let source: TestEmulator;
  let target: TestEmulator;
  let otherProcess: Platform;
  beforeAll(async () => {
    source = await startEmulator();
    target = await startEmulator();
    // A second platform on the target's file: what the compose stack's other service holds.
    otherProcess = await createPlatform(loadEnvironment({ FOUNDRY_DB: target.databasePath, FOUNDRY_SEED: "", LOG_LEVEL: "silent" }));
  });
  afterAll(async () => {
    otherProcess.database.$client.close();
    await Promise.all([source.stop(), target.stop()]);
  });

  it("brings its signing key: its tokens work, the old ones stop, in every process sharing the file", async () => {
    const sourceToken = await mint(source.baseUrl, "alice");
    const targetToken = await mint(target.baseUrl, "alice");
    expect((await otherProcess.tokenVerifier.verify(targetToken)).ok).toBe(true); // verified and cached
    expect((await otherProcess.tokenVerifier.verify(sourceToken)).ok).toBe(false);
    const caBefore = await (await fetch(`${target.baseUrl}/_emulate/ca.pem`)).text();

    const response = await restore(target.baseUrl, await takeSnapshot(source.baseUrl));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ signingKey: "snapshot" });

    expect((await getCurrent(target.baseUrl, sourceToken)).status).toBe(200);
    expect((await getCurrent(target.baseUrl, targetToken)).status).toBe(401);
    expect((await otherProcess.tokenVerifier.verify(sourceToken)).ok).toBe(true);
    expect(await otherProcess.tokenVerifier.verify(targetToken)).toEqual({ ok: false, reason: "invalid" });

    // New tokens are signed with the restored key, and every process verifies them.
    const minted = await mint(target.baseUrl, "bob");
    expect((await getCurrent(target.baseUrl, minted)).status).toBe(200);
    expect((await getCurrent(source.baseUrl, minted)).status).toBe(401); // a different database: no row there
    expect((await otherProcess.tokenVerifier.verify(minted)).ok).toBe(true);

    // The environment's TLS identity is its own.
    expect(await (await fetch(`${target.baseUrl}/_emulate/ca.pem`)).text()).toBe(caBefore);
  });
});

describe("restore body limits and in-memory databases", () => {
  let emulator: TestEmulator;
  const maxSnapshotBytes = 1024 * 1024;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_DB: ":memory:", FOUNDRY_MAX_BODY_BYTES: "1024", FOUNDRY_MAX_SNAPSHOT_BYTES: String(maxSnapshotBytes) } });
  });
  afterAll(() => emulator.stop());

  it("snapshots and restores an in-memory database, past FOUNDRY_MAX_BODY_BYTES", async () => {
    const token = await mint(emulator.baseUrl, "alice");
    const snapshot = await takeSnapshot(emulator.baseUrl);
    expect(snapshot.length).toBeGreaterThan(1024);
    await mint(emulator.baseUrl, "bob");
    const response = await restore(emulator.baseUrl, snapshot);
    expect(response.status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);
  });

  it("refuses a snapshot over FOUNDRY_MAX_SNAPSHOT_BYTES with 413, declared or streamed", async () => {
    const state = stateOf(emulator.platform);
    const declared = await restore(emulator.baseUrl, Buffer.alloc(maxSnapshotBytes + 1));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ errorName: "Conjure:RequestEntityTooLarge", parameters: { maxBytes: maxSnapshotBytes } });

    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const streamed = await fetch(`${emulator.baseUrl}/_emulate/restore`, {
      method: "POST",
      headers: { "Content-Type": "application/vnd.sqlite3" },
      body: new ReadableStream({
        pull(controller) {
          if (sent > maxSnapshotBytes * 2) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      }),
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    expect(streamed.status).toBe(413);
    expect(stateOf(emulator.platform)).toEqual(state);
  });
});
