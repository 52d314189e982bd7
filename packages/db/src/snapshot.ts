import { closeSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { getTableName, is } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";
import { applyMigrations } from "./apply-migrations";
import { immediateTransaction } from "./immediate-transaction";
import { defaultMigrationsFolder } from "./open-database";

/**
 * Snapshots of the emulator's database: a consistent copy taken while it runs (SQLite's online
 * backup), and a restore that validates an uploaded copy, migrates it to this build's schema, and
 * replaces the live content in one transaction on the live connection — so every module keeps its
 * connection and every process sharing the file sees the new content at once (WAL).
 */

const journalTable = "__drizzle_migrations";
const attachedName = "foundry_snapshot";
const sqliteMagic = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Tables restore leaves as they are in the live database, because they describe this environment
 * rather than its data: the certificate authority and server certificates are its TLS identity
 * (clients and module containers already trust its CA, and a running HTTPS listener keeps
 * presenting its certificate), and the request journal is what happened to it (the restore included).
 */
export const tablesKeptOnRestore: readonly string[] = ["certificates", "request_journal"];

/** The access-token signing key comes with the snapshot (its tokens stay valid) — when it has one. */
const signingKeyTable = "signing_keys";

export type SnapshotProblem = "invalid" | "newer-schema";

/** Why an uploaded snapshot was refused; nothing was changed. */
export class SnapshotError extends Error {
  override name = "SnapshotError";
  constructor(
    /** `invalid`: not SQLite, corrupt, or not this emulator's database. `newer-schema`: made by a newer build. */
    readonly problem: SnapshotProblem,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface SnapshotTable {
  name: string;
  columns: string[];
}

/** Every table of this build's schema, parents before children (foreign keys). */
export function emulatorTables(): SnapshotTable[] {
  const tables: SQLiteTable[] = (Object.values(schema) as unknown[]).filter((value): value is SQLiteTable => is(value, SQLiteTable));
  const byName = new Map<string, SQLiteTable>(tables.map((table) => [getTableName(table), table]));
  const ordered: SnapshotTable[] = [];
  const visited = new Set<string>();
  const visit = (name: string) => {
    if (visited.has(name)) return;
    visited.add(name);
    const config = getTableConfig(byName.get(name)!);
    for (const foreignKey of config.foreignKeys) {
      const parent = getTableName(foreignKey.reference().foreignTable);
      if (parent !== name && byName.has(parent)) visit(parent);
    }
    ordered.push({ name, columns: config.columns.map((column) => column.name) });
  };
  for (const name of [...byName.keys()].sort()) visit(name);
  return ordered;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Migrations folder of this build: the one openDatabase uses. */
function migrationsFolderOf(explicit: string | undefined): string {
  return explicit ?? process.env.FOUNDRY_MIGRATIONS ?? defaultMigrationsFolder;
}

interface KnownMigration {
  tag: string;
  createdAt: number;
}

function knownMigrations(migrationsFolder: string): KnownMigration[] {
  const migrations = readMigrationFiles({ migrationsFolder });
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };
  const tags = new Map(journal.entries.map((entry) => [entry.when, entry.tag]));
  return migrations.map((migration) => ({ tag: tags.get(migration.folderMillis) ?? String(migration.folderMillis), createdAt: migration.folderMillis }));
}

/** The newest migration of this build (its tag names the schema version of the snapshots it writes). */
export function currentSchemaVersion(options: { migrationsFolder?: string } = {}): string {
  return knownMigrations(migrationsFolderOf(options.migrationsFolder)).at(-1)?.tag ?? "none";
}

/**
 * Writes a consistent copy of the live database to `destinationPath` while the emulator runs:
 * SQLite's online backup, copied in one step so a write by another process cannot make it start
 * over; an in-memory database is serialized. The copy uses a rollback journal, so it is one
 * self-contained file (it may still be opened as FOUNDRY_DB: the emulator switches it to WAL).
 */
export async function writeSnapshot(client: Database.Database, destinationPath: string): Promise<void> {
  if (client.memory) {
    writeFileSync(destinationPath, client.serialize());
  } else {
    await client.backup(destinationPath, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
  }
  const copy = new Database(destinationPath);
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
}

function hasSqliteHeader(path: string): boolean {
  const header = Buffer.alloc(sqliteMagic.length);
  const descriptor = openSync(path, "r");
  try {
    return readSync(descriptor, header, 0, header.length, 0) === header.length && header.equals(sqliteMagic);
  } finally {
    closeSync(descriptor);
  }
}

export interface PreparedSnapshot {
  /** The validated copy, migrated to this build's schema, ready for `restoreSnapshot`. */
  path: string;
  /** The newest migration the snapshot had. */
  schemaVersion: string;
  /** Migrations applied to bring it to this build's schema. */
  migrationsApplied: number;
}

/**
 * Validates an uploaded snapshot and migrates it to this build's schema, in place: give it a
 * private copy (the upload's temporary file), never a live database. Refuses (SnapshotError) a
 * file that is not SQLite, is corrupt (`PRAGMA integrity_check`), is not this emulator's database
 * (no migration journal, migrations it never had, tables or columns missing after migrating,
 * broken foreign keys), or was written by a newer build (journal entries this one does not know).
 */
export function prepareSnapshot(path: string, options: { migrationsFolder?: string } = {}): PreparedSnapshot {
  const known = knownMigrations(migrationsFolderOf(options.migrationsFolder));
  const knownByCreatedAt = new Map(known.map((migration) => [migration.createdAt, migration]));
  const newestKnown = known.at(-1)?.createdAt ?? 0;

  if (!hasSqliteHeader(path)) throw new SnapshotError("invalid", "The body is not an SQLite database file.");
  let copy: Database.Database;
  try {
    copy = new Database(path, { fileMustExist: true });
  } catch (error) {
    throw new SnapshotError("invalid", `The file cannot be opened as an SQLite database: ${(error as Error).message}`);
  }
  try {
    copy.pragma("journal_mode = DELETE");
    const integrity = (copy.pragma("integrity_check") as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (integrity.length !== 1 || integrity[0] !== "ok") {
      throw new SnapshotError("invalid", "The database is corrupt (PRAGMA integrity_check).", { integrityCheck: integrity.slice(0, 10) });
    }

    const tableNames = () => new Set((copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
    if (!tableNames().has(journalTable)) {
      throw new SnapshotError("invalid", `Not a foundry-emulator database: it has no migration journal (${journalTable}).`);
    }
    const journal = (copy.prepare(`SELECT created_at FROM ${quote(journalTable)} ORDER BY created_at`).all() as { created_at: number | string }[]).map((row) =>
      Number(row.created_at),
    );
    if (journal.length === 0) throw new SnapshotError("invalid", "Not a foundry-emulator database: its migration journal is empty.");
    const unknown = journal.filter((createdAt) => !knownByCreatedAt.has(createdAt));
    if (unknown.some((createdAt) => createdAt > newestKnown)) {
      throw new SnapshotError(
        "newer-schema",
        "The snapshot was written by a newer foundry-emulator (its schema has migrations this build does not know); restore it with that build or a newer one.",
        {
          currentSchemaVersion: known.at(-1)?.tag ?? "none",
        },
      );
    }
    if (unknown.length > 0) {
      throw new SnapshotError("invalid", "Not a foundry-emulator database: its migration journal names migrations this emulator never had.");
    }
    const schemaVersion = knownByCreatedAt.get(journal.at(-1)!)!.tag;

    let migrationsApplied: number;
    try {
      migrationsApplied = applyMigrations(copy, migrationsFolderOf(options.migrationsFolder));
    } catch (error) {
      throw new SnapshotError("invalid", `The snapshot cannot be migrated to this build's schema: ${(error as Error).message}`, { schemaVersion });
    }

    const migratedTables = tableNames();
    for (const table of emulatorTables()) {
      const columns = new Set((copy.prepare(`SELECT name FROM pragma_table_info(?)`).all(table.name) as { name: string }[]).map((row) => row.name));
      const missing = !migratedTables.has(table.name) ? ["(table)"] : table.columns.filter((column) => !columns.has(column));
      if (missing.length > 0) {
        throw new SnapshotError("invalid", `Not a foundry-emulator database: table ${table.name} is missing or incomplete.`, { table: table.name, missing });
      }
    }
    const brokenReferences = copy.pragma("foreign_key_check") as unknown[];
    if (brokenReferences.length > 0) {
      throw new SnapshotError("invalid", "The snapshot has rows whose foreign keys point nowhere (PRAGMA foreign_key_check).", { violations: brokenReferences.slice(0, 10) });
    }
    return { path, schemaVersion, migrationsApplied };
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    // SQLITE_NOTADB, SQLITE_CORRUPT, ...: whatever SQLite refuses to read is not a snapshot.
    throw new SnapshotError("invalid", `The file is not a readable SQLite database: ${(error as Error).message}`);
  } finally {
    copy.close();
  }
}

export interface RestoreSummary {
  /** Rows restored per table. */
  tables: Record<string, number>;
  /** Tables left as they were (the environment's TLS identity). */
  kept: string[];
  /** Whether the signing key came from the snapshot, or the live one was kept (the snapshot had none). */
  signingKey: "snapshot" | "kept";
}

/**
 * Replaces the live content with a prepared snapshot's, atomically, on the live connection: ATTACH
 * the copy, then in one IMMEDIATE transaction delete each table's rows (children first) and copy
 * the snapshot's in (parents first), foreign keys checked at commit, and the migration journal
 * with them; DETACH. A failure rolls everything back. Other connections (and processes) see either
 * the old content or the new one, never a mix.
 */
export function restoreSnapshot(client: Database.Database, prepared: PreparedSnapshot): RestoreSummary {
  if (client.inTransaction) throw new Error("restoreSnapshot: the connection is inside a transaction");
  client.prepare(`ATTACH DATABASE ? AS ${attachedName}`).run(prepared.path);
  try {
    return immediateTransaction(client, (): RestoreSummary => {
      client.pragma("defer_foreign_keys = ON");
      const snapshotHasKey = (client.prepare(`SELECT count(*) AS total FROM ${attachedName}.${quote(signingKeyTable)}`).get() as { total: number }).total > 0;
      const tables = emulatorTables();
      const kept = tables.map((table) => table.name).filter((name) => tablesKeptOnRestore.includes(name) || (name === signingKeyTable && !snapshotHasKey));
      const replaced = tables.filter((table) => !kept.includes(table.name));
      for (const table of [...replaced].reverse()) client.prepare(`DELETE FROM main.${quote(table.name)}`).run();
      const restored: Record<string, number> = {};
      for (const table of replaced) {
        const columns = table.columns.map(quote).join(", ");
        restored[table.name] = client.prepare(`INSERT INTO main.${quote(table.name)} (${columns}) SELECT ${columns} FROM ${attachedName}.${quote(table.name)}`).run().changes;
      }
      client.prepare(`DELETE FROM main.${quote(journalTable)}`).run();
      client.prepare(`INSERT INTO main.${quote(journalTable)} (id, hash, created_at) SELECT id, hash, created_at FROM ${attachedName}.${quote(journalTable)}`).run();
      return { tables: restored, kept, signingKey: snapshotHasKey ? "snapshot" : "kept" };
    });
  } finally {
    client.prepare(`DETACH DATABASE ${attachedName}`).run();
  }
}
