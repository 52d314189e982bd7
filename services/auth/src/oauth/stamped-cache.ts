import { databaseStampReader, sameStamp, type DatabaseStamp, type FoundryDatabase } from "@foundry-emulator/db";

/**
 * Values read from the database, reused while its state stamp is unchanged: `total_changes()`
 * (this connection's writes) and `data_version` (commits by any other connection, other processes
 * included), the stamp createTokenVerifier keeps verified tokens with. Any write, by anyone, drops
 * every value, so none is ever stale; between writes, and for the requests of one event-loop turn
 * (whose grants commit together), one read serves them all.
 */
export function createStampedCache<Value>(database: FoundryDatabase, maxEntries = 1_000) {
  const readStamp = databaseStampReader(database.$client);
  const values = new Map<string, Value>();
  let keptAt: DatabaseStamp | undefined;

  return function cached(key: string, load: () => Value): Value {
    // Read before loading: a commit after this point changes the stamp the value is kept with.
    const stamp = readStamp();
    if (!keptAt || !sameStamp(stamp, keptAt)) {
      values.clear();
      keptAt = stamp;
    }
    if (values.has(key)) return values.get(key) as Value;
    const value = load();
    // Keys come from callers (any client id); a full cache starts over rather than grow.
    if (values.size >= maxEntries) values.clear();
    values.set(key, value);
    return value;
  };
}
