import type Database from "better-sqlite3";
import { prepareOnce } from "./prepare-once";

/**
 * A fingerprint of what the database holds, for caches that must notice any commit: this
 * connection's `total_changes()` (its own writes) and `PRAGMA data_version` (commits by any other
 * connection, other processes included). Equal stamps mean no commit happened in between.
 */
export interface DatabaseStamp {
  changes: number;
  version: number;
}

// Raw: pragmas and SQLite functions, plumbing with no table behind them.
// `PRAGMA data_version` itself, not the `pragma_data_version()` table function (nor `client.pragma()`),
// which compile the pragma again on every call.
const totalChanges = (client: Database.Database) => client.prepare<[], number>("SELECT total_changes()").pluck();
const dataVersion = (client: Database.Database) => client.prepare<[], number>("PRAGMA data_version").pluck();

/** Reads the connection's `PRAGMA data_version`: it changes when ANOTHER connection commits. */
export function dataVersionReader(client: Database.Database): () => number {
  const version = prepareOnce(client, dataVersion);
  return () => version.get()!;
}

/** Reads the stamp with two prepared statements (~1.4 µs together). */
export function databaseStampReader(client: Database.Database): () => DatabaseStamp {
  const changes = prepareOnce(client, totalChanges);
  const version = prepareOnce(client, dataVersion);
  return () => ({ changes: changes.get()!, version: version.get()! });
}

export const sameStamp = (first: DatabaseStamp, second: DatabaseStamp) => first.changes === second.changes && first.version === second.version;
