import type Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { immediateTransaction } from "./immediate-transaction";

const journalTable = "__drizzle_migrations";

/**
 * Applies drizzle-kit migrations that are not yet recorded, in one IMMEDIATE transaction.
 * drizzle's own migrator opens a deferred transaction, so two processes starting together could
 * both decide a migration is pending; taking the write lock first makes the second one wait, then
 * see the first one's journal and apply nothing. The journal table is drizzle's, so drizzle-kit
 * tooling still understands the database.
 */
export function applyMigrations(client: Database.Database, migrationsFolder: string): number {
  const migrations = readMigrationFiles({ migrationsFolder });
  return immediateTransaction(client, () => {
    client.exec(`CREATE TABLE IF NOT EXISTS "${journalTable}" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
    const last = client.prepare(`SELECT created_at FROM "${journalTable}" ORDER BY created_at DESC LIMIT 1`).get() as { created_at: number } | undefined;
    const record = client.prepare(`INSERT INTO "${journalTable}" (hash, created_at) VALUES (?, ?)`);
    let applied = 0;
    for (const migration of migrations) {
      if (last && Number(last.created_at) >= migration.folderMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) client.exec(statement);
      }
      record.run(migration.hash, migration.folderMillis);
      applied += 1;
    }
    return applied;
  });
}
