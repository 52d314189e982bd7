import type Database from "better-sqlite3";

/**
 * A fingerprint of what the database holds, for caches that must notice any commit: this
 * connection's `total_changes()` (its own writes) and `PRAGMA data_version` (commits by any other
 * connection, other processes included). Equal stamps mean no commit happened in between.
 */
export interface DatabaseStamp {
  changes: number;
  version: number;
}

/**
 * Reads the stamp with two prepared statements (~1.4 µs together): `PRAGMA data_version` itself,
 * not the `pragma_data_version()` table function, which compiles the pragma again on every call.
 */
export function databaseStampReader(client: Database.Database): () => DatabaseStamp {
  const changes = client.prepare<[], number>("SELECT total_changes()").pluck();
  const version = client.prepare<[], number>("PRAGMA data_version").pluck();
  return () => ({ changes: changes.get()!, version: version.get()! });
}

export const sameStamp = (first: DatabaseStamp, second: DatabaseStamp) => first.changes === second.changes && first.version === second.version;
