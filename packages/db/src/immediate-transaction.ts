import type Database from "better-sqlite3";

/** A connection, or the drizzle database around one (taken as either, so this module imports no schema). */
export type Connection = Database.Database | { $client: Database.Database };

export const clientOf = (connection: Connection): Database.Database => ("$client" in connection ? connection.$client : connection);

const runners = new WeakMap<Database.Database, Database.Transaction<(work: () => unknown) => unknown>>();

/**
 * The one transaction style of the emulator: runs `work` (synchronous) in `BEGIN IMMEDIATE … COMMIT`,
 * rolled back if it throws. IMMEDIATE takes the write lock before the first read, so two processes
 * sharing the file serialize their read-then-write transactions instead of one failing with
 * SQLITE_BUSY on its upgrade. Called inside a transaction, `work` runs in a SAVEPOINT of it (rolled
 * back alone if it throws): that is how a reset nests the seed, and a group commit each grant.
 *
 * better-sqlite3's own transaction, not drizzle's `database.transaction(fn, { behavior: "immediate" })`:
 * that one wraps the same thing, but hands `work` a `tx` to thread through every helper, and nests
 * only through `tx.transaction`, whose SAVEPOINT statements it compiles again on every call.
 * `work` uses the database (and statements prepared on it) as it is: it is the same connection.
 */
export function immediateTransaction<Result>(connection: Connection, work: () => Result): Result {
  const client = clientOf(connection);
  let runner = runners.get(client);
  if (!runner) {
    // One transaction function per connection, not one per call.
    runner = client.transaction((inner: () => unknown) => inner());
    runners.set(client, runner);
  }
  return runner.immediate(work) as Result;
}
