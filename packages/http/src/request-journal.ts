import type Database from "better-sqlite3";
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

interface JournalRow {
  sequence: number;
  at: number;
  service: string;
  request_id: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  principal: string | null;
  client_id: string | null;
  grant_type: string | null;
  oauth_error: string | null;
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
  private readonly insert: Database.Statement;
  private readonly trim: Database.Statement;
  private readonly writeBatch: (batch: JournalEntry[]) => void;
  private readonly queries = new Map<string, Database.Statement>();

  constructor(
    private readonly client: Database.Database,
    readonly capacity: number,
    private readonly logger?: Logger,
    private readonly flushIntervalMs = 200,
  ) {
    this.insert = client.prepare(
      `INSERT INTO request_journal (at, service, request_id, method, path, status, duration_ms, principal, client_id, grant_type, oauth_error)
       VALUES (@at, @service, @requestId, @method, @path, @status, @durationMs, @principal, @clientId, @grantType, @oauthError)`,
    );
    this.trim = client.prepare("DELETE FROM request_journal WHERE sequence <= (SELECT max(sequence) FROM request_journal) - ?");
    this.writeBatch = client.transaction((batch: JournalEntry[]) => {
      for (const entry of batch) this.insert.run(entry);
      this.trim.run(this.capacity);
    });
  }

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
    if (!this.client.open) return;
    try {
      this.writeBatch(batch);
    } catch (error) {
      this.logger?.warn({ err: error, entries: batch.length }, "request journal: a batch could not be written");
    }
  }

  /** Newest first, filtered; `nextCursor` pages to older entries. */
  list(query: JournalQuery): { data: JournalRecord[]; nextCursor: string | null } {
    this.flush();
    const conditions: string[] = [];
    const parameters: Record<string, unknown> = { limit: query.limit + 1 };
    if (query.before !== undefined) {
      conditions.push("sequence < @before");
      parameters.before = query.before;
    }
    if (query.service) {
      conditions.push("service = @service");
      parameters.service = query.service;
    }
    if (query.status) {
      const statusClass = /^([1-5])xx$/.exec(query.status);
      if (statusClass) {
        conditions.push("status >= @statusFrom AND status < @statusTo");
        parameters.statusFrom = Number(statusClass[1]) * 100;
        parameters.statusTo = Number(statusClass[1]) * 100 + 100;
      } else if (query.status === "error") {
        conditions.push("status >= 400");
      } else {
        conditions.push("status = @status");
        parameters.status = Number(query.status);
      }
    }
    if (query.path) {
      conditions.push("instr(path, @path) > 0");
      parameters.path = query.path;
    }
    if (query.principal) {
      conditions.push("principal = @principal");
      parameters.principal = query.principal;
    }
    const sql = `SELECT * FROM request_journal ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""} ORDER BY sequence DESC LIMIT @limit`;
    let statement = this.queries.get(sql);
    if (!statement) {
      statement = this.client.prepare(sql);
      this.queries.set(sql, statement);
    }
    const rows = statement.all(parameters) as JournalRow[];
    const page = rows.slice(0, query.limit);
    return {
      data: page.map((row) => ({
        sequence: row.sequence,
        time: new Date(row.at).toISOString(),
        service: row.service,
        requestId: row.request_id,
        method: row.method,
        path: row.path,
        status: row.status,
        durationMs: row.duration_ms,
        principal: row.principal,
        clientId: row.client_id,
        grantType: row.grant_type,
        oauthError: row.oauth_error,
      })),
      nextCursor: rows.length > query.limit ? String(page.at(-1)!.sequence) : null,
    };
  }

  /** Forgets every entry (this process's queued ones too). */
  clear(): void {
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.client.prepare("DELETE FROM request_journal").run();
  }
}

const journals = new WeakMap<Database.Database, RequestJournal>();

/** The journal of a database connection: the services of one process share it. */
export function requestJournalFor(client: Database.Database, capacity: number, logger?: Logger): RequestJournal {
  let journal = journals.get(client);
  if (!journal) {
    journal = new RequestJournal(client, capacity, logger);
    journals.set(client, journal);
  }
  return journal;
}

/** What `createServiceApp` needs to log and journal requests, from a service's platform. */
export function requestObservabilityOf(platform: {
  environment: { LOG_LEVEL: LogLevel; FOUNDRY_JOURNAL_SIZE: number };
  database: { $client: Database.Database };
}): { logger: Logger; journal: RequestJournal } {
  const logger = loggerFor(platform.environment.LOG_LEVEL);
  return { logger, journal: requestJournalFor(platform.database.$client, platform.environment.FOUNDRY_JOURNAL_SIZE, logger) };
}
