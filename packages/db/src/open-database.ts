import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import * as schema from "./schema";
import { applyMigrations } from "./apply-migrations";

export type FoundryDatabase = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDatabaseOptions {
  /** Path to the SQLite file, or ":memory:". */
  path: string;
  /** Folder with drizzle-kit's output; defaults to the repository's migrations/. */
  migrationsFolder?: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

export const defaultMigrationsFolder = resolve(import.meta.dirname, "../../../migrations");

/**
 * The database holds private keys: a folder the emulator creates is 0700, and the file 0600 (SQLite
 * gives its -wal and -shm files the mode of the database file). A file that exists is narrowed to
 * 0600 when the emulator owns it; a folder that exists (a mounted volume) is left as it is.
 */
function createPrivately(path: string) {
  const folder = dirname(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch {
      // absent, or not ours to change
    }
  }
}

/**
 * Opens (creating if needed) the shared database: WAL so readers never block the writer and two
 * processes can share the file, a busy timeout so they wait for each other instead of failing,
 * foreign keys on, and every pending migration applied.
 */
export function openDatabase(options: OpenDatabaseOptions): FoundryDatabase {
  const { path } = options;
  if (path !== ":memory:") createPrivately(resolve(path));
  const client = new Database(path);
  client.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  if (path !== ":memory:") client.pragma("journal_mode = WAL");
  // NORMAL is durable in WAL mode against process crashes (only an OS crash may lose the last commits).
  client.pragma("synchronous = NORMAL");
  client.pragma("foreign_keys = ON");
  // Statement journals (the savepoint of each grant in a group commit) stay in memory; on disk they
  // spill to temporary files, opened and written on the hot path of every token issuance.
  client.pragma("temp_store = MEMORY");
  const database = drizzle({ client, schema }) as FoundryDatabase;
  applyMigrations(client, options.migrationsFolder ?? process.env.FOUNDRY_MIGRATIONS ?? defaultMigrationsFolder);
  return database;
}
