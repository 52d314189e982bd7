import type { FoundryDatabase } from "@foundry-emulator/db";

/**
 * Values read from the database, reused while its state stamp is unchanged: `total_changes()`
 * (this connection's writes) and `data_version` (commits by any other connection, other processes
 * included), the stamp createTokenVerifier keeps verified tokens with. Any write, by anyone, drops
 * every value, so none is ever stale; between writes, and for the requests of one event-loop turn
 * (whose grants commit together), one read serves them all.
 */
export function createStampedCache<Value>(database: FoundryDatabase, maxEntries = 1_000) {
  // Two plain statements: the pragma_data_version() table prepares a statement on every read.
  const readChanges = database.$client.prepare<[], number>("SELECT total_changes()").pluck();
  const readVersion = database.$client.prepare<[], number>("PRAGMA data_version").pluck();
  const values = new Map<string, Value>();
  let changes = -1;
  let version = -1;

  return function cached(key: string, load: () => Value): Value {
    // Read before loading: a commit after this point changes the stamp the value is kept with.
    const stampChanges = readChanges.get()!;
    const stampVersion = readVersion.get()!;
    if (stampChanges !== changes || stampVersion !== version) {
      values.clear();
      changes = stampChanges;
      version = stampVersion;
    }
    if (values.has(key)) return values.get(key) as Value;
    const value = load();
    // Keys come from callers (any client id); a full cache starts over rather than grow.
    if (values.size >= maxEntries) values.clear();
    values.set(key, value);
    return value;
  };
}
