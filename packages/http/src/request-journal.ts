import { and, desc, eq, gte, lt, lte, max, sql, type SQL } from "drizzle-orm";
import { immediateTransaction, named, prepareNamed, prepareOnce, requestJournal, type FoundryDatabase } from "@foundry-emulator/db";
import { loggerFor, type LogLevel, type Logger } from "./logger";

declare module "hono" {
  /** Set by the OAuth routes for the request journal and the log (never a secret). */
  interface ContextVariableMap {
    /** The `grant_type` of a token request. */
    oauthGrantType: string;
    /** The authenticated client of a token or revocation request. */
    oauthClientId: string;
    /** The RFC 6749 `error` an OAuth endpoint answered with. */
    oauthError: string;
  }
}

/** One answered request, as journaled. */
export interface JournalEntry {
  at: number;
  service: string;
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  principal: string | null;
  clientId: string | null;
  grantType: string | null;
  oauthError: string | null;
}

/** A journal entry on the wire (GET /_emulate/requests). */
export interface JournalRecord extends Omit<JournalEntry, "at"> {
  sequence: number;
  time: string;
}

export interface JournalQuery {
  /** Newest first; at most this many. */
  limit: number;
  /** Only entries older than this sequence (the previous page's `nextCursor`). */
  before?: number | undefined;
  service?: string | undefined;
  /** `2xx`, `3xx`, `4xx`, `5xx`, `error` (≥ 400) or an exact status. */
  status?: string | undefined;
  /** A substring of the path. */
  path?: string | undefined;
  principal?: string | undefined;
}

/**
 * The last N requests of every process that shares the database. The hot path only pushes onto an
 * in-memory batch; every `flushIntervalMs` one transaction writes the batch into `request_journal`
 * and trims the table to the newest N rows, so the compose stack's auth and compute processes share
 * one journal and the cost per request stays a few microseconds. Reads flush this process's batch
 * first; another process's entries appear within one flush interval. Sequences are contiguous
 * (AUTOINCREMENT inside committed transactions, and only the oldest rows or all rows are deleted),
 * so trimming is a single indexed delete below `max(sequence) - N`.
 */
export class RequestJournal {
  private pending: JournalEntry[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: FoundryDatabase,
    readonly capacity: number,
    private readonly logger?: Logger,
    private readonly flushIntervalMs = 200,
  ) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Queues an entry for the next batch (the oldest queued entries give way beyond the capacity). */
  record(entry: JournalEntry): void {
    if (!this.enabled) return;
    this.pending.push(entry);
    // Trimmed in one go once twice over capacity (not one shift per request); flush keeps the newest.
    if (this.pending.length >= 2 * this.capacity) this.pending.splice(0, this.pending.length - this.capacity);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes the queued batch now (one transaction); a failure drops the batch, never a request. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending.length > this.capacity ? this.pending.slice(-this.capacity) : this.pending;
    this.pending = [];
    if (!this.database.$client.open) return;
    try {
      const { database } = this;
      immediateTransaction(database, () => {
        const insert = prepareOnce(database, insertEntry);
        for (const entry of batch) insert.run(entry);
        prepareOnce(database, trimToNewest).run({ keep: this.capacity });
      });
    } catch (error) {
      this.logger?.warn({ err: error, entries: batch.length }, "request journal: a batch could not be written");
    }
  }

  /** Newest first, filtered; `nextCursor` pages to older entries. */
  list(query: JournalQuery): { data: JournalRecord[]; nextCursor: string | null } {
    this.flush();
    const conditions: (SQL | undefined)[] = [];
    if (query.before !== undefined) conditions.push(lt(requestJournal.sequence, query.before));
    if (query.service) conditions.push(eq(requestJournal.service, query.service));
    if (query.status) {
      const statusClass = /^([1-5])xx$/.exec(query.status);
      if (statusClass) {
        const from = Number(statusClass[1]) * 100;
        conditions.push(gte(requestJournal.status, from), lt(requestJournal.status, from + 100));
      } else if (query.status === "error") {
        conditions.push(gte(requestJournal.status, 400));
      } else {
        conditions.push(eq(requestJournal.status, Number(query.status)));
      }
    }
    // instr, not LIKE: a plain, case-sensitive substring, with no wildcard to escape.
    if (query.path) conditions.push(sql`instr(${requestJournal.path}, ${query.path}) > 0`);
    if (query.principal) conditions.push(eq(requestJournal.principal, query.principal));
    // Built per call (the filters vary; the dashboard reads it every few seconds at most).
    const rows = this.database
      .select()
      .from(requestJournal)
      .where(and(...conditions))
      .orderBy(desc(requestJournal.sequence))
      .limit(query.limit + 1)
      .all();
    const page = rows.slice(0, query.limit);
    return {
      data: page.map((row) => ({
        sequence: row.sequence,
        time: new Date(row.at).toISOString(),
        service: row.service,
        requestId: row.requestId,
        method: row.method,
        path: row.path,
        status: row.status,
        durationMs: row.durationMs,
        principal: row.principal,
        clientId: row.clientId,
        grantType: row.grantType,
        oauthError: row.oauthError,
      })),
      nextCursor: rows.length > query.limit ? String(page.at(-1)!.sequence) : null,
    };
  }

  /** Forgets every entry (this process's queued ones too). */
  clear(): void {
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.database.delete(requestJournal).run();
  }
}

// The insert runs once per request: prepared by better-sqlite3 from drizzle's text (see
// prepareNamed), since drizzle's own prepared insert costs half as much again (4.4 against 2.9 µs a row).
const insertEntry = (database: FoundryDatabase) =>
  prepareNamed<JournalEntry>(
    database,
    database.insert(requestJournal).values({
      at: named("at"),
      service: named("service"),
      requestId: named("requestId"),
      method: named("method"),
      path: named("path"),
      status: named("status"),
      durationMs: named("durationMs"),
      principal: named("principal"),
      clientId: named("clientId"),
      grantType: named("grantType"),
      oauthError: named("oauthError"),
    } satisfies Record<keyof JournalEntry, SQL>),
  );

// Keeps the newest `keep` rows: one indexed delete below max(sequence) - keep (sequences are contiguous).
const trimToNewest = (database: FoundryDatabase) =>
  database
    .delete(requestJournal)
    .where(lte(requestJournal.sequence, sql`(${database.select({ newest: max(requestJournal.sequence) }).from(requestJournal)}) - ${sql.placeholder("keep")}`))
    .prepare();

const journals = new WeakMap<object, RequestJournal>();

/** The journal of a database connection: the services of one process share it. */
export function requestJournalFor(database: FoundryDatabase, capacity: number, logger?: Logger): RequestJournal {
  let journal = journals.get(database.$client);
  if (!journal) {
    journal = new RequestJournal(database, capacity, logger);
    journals.set(database.$client, journal);
  }
  return journal;
}

/** What `createServiceApp` needs to log and journal requests, from a service's platform. */
export function requestObservabilityOf(platform: { environment: { LOG_LEVEL: LogLevel; FOUNDRY_JOURNAL_SIZE: number }; database: FoundryDatabase }): {
  logger: Logger;
  journal: RequestJournal;
} {
  const logger = loggerFor(platform.environment.LOG_LEVEL);
  return { logger, journal: requestJournalFor(platform.database, platform.environment.FOUNDRY_JOURNAL_SIZE, logger) };
}
