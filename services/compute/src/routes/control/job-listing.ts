import { and, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { alias, unionAll } from "drizzle-orm/sqlite-core";
import type { JobDetail, JobPage, JobSummary } from "@foundry-emulator/contract";
import { jobs, type FoundryDatabase } from "@foundry-emulator/db";

/**
 * What the control plane reads of jobs. Lists are read a page at a time with a keyset cursor
 * (the job's sequence) along an index, so 100,000 jobs cost what 100 do. Never selected: the
 * query and the result beyond a short preview in the detail.
 */

export type JobStatusName = (typeof jobs.status.enumValues)[number];

export interface JobFilters {
  status?: JobStatusName | undefined;
  runtimeId?: string | undefined;
  jobId?: string | undefined;
  /** The sequence of the last job of the previous page (older jobs follow). */
  before?: number | undefined;
  limit: number;
}

const queryPreviewChars = 8192;
const resultPreviewBytes = 4096;

// The alias names the table in query plans ("SEARCH j USING INDEX ..."), which the scale test reads.
const j = alias(jobs, "j");

/** The columns of a list row: lengths and prefixes are computed by SQLite, so no result is read whole. */
const listColumns = {
  sequence: j.sequence,
  id: j.id,
  runtimeId: j.runtimeId,
  deployedAppRid: j.deployedAppRid,
  deployedAppBranch: j.deployedAppBranch,
  queryType: j.queryType,
  submittedBy: j.submittedBy,
  submittedClientId: j.submittedClientId,
  status: j.status,
  attempts: j.attempts,
  createdAt: j.createdAt,
  dispatchedAt: j.dispatchedAt,
  finishedAt: j.finishedAt,
  failureName: j.failureName,
  failureMessage: sql<string | null>`substr(${j.failureMessage}, 1, 500)`.as("failure_message"),
  resultBytes: sql<number | null>`length(${j.result})`.as("result_bytes"),
};

/** A job as a list shows it: not its query, result, submitted scopes or lease. */
type JobListRow = Omit<typeof jobs.$inferSelect, "query" | "result" | "submittedScopes" | "leaseExpiresAt" | "dispatchTokenId"> & { resultBytes: number | null };

/** Builds queries: the service's database, or a database-less one that only renders SQL. */
type SelectSource = Pick<FoundryDatabase, "select">;

/**
 * A page of jobs, newest first, as one query. Each shape of filter walks an index in sequence order
 * and stops after `limit + 1` rows: the primary key (no filter), `jobs_status_sequence` (status),
 * `jobs_runtime_status_sequence` (runtime and status; runtime alone is one short walk per status,
 * merged), the unique id (one job). No shape scans the table, however many jobs it holds.
 */
function jobListSelect(database: SelectSource, filters: JobFilters) {
  const wanted = filters.limit + 1;
  const before = lt(j.sequence, filters.before ?? Number.MAX_SAFE_INTEGER);
  const walk = (condition: SQL | undefined) => database.select(listColumns).from(j).where(and(condition, before)).orderBy(desc(j.sequence)).limit(wanted);

  if (filters.jobId !== undefined) return walk(eq(j.id, filters.jobId));
  if (filters.runtimeId !== undefined && filters.status !== undefined) return walk(and(eq(j.runtimeId, filters.runtimeId), eq(j.status, filters.status)));
  if (filters.status !== undefined) return walk(eq(j.status, filters.status));
  if (filters.runtimeId === undefined) return walk(undefined);
  // A runtime alone: the index is (runtime, status, sequence), so one walk per status, merged. A
  // compound select's arms cannot be ordered or limited in SQLite: each is a subquery of its own.
  const runtimeId = filters.runtimeId;
  const [queued, inProgress, ...finished] = jobs.status.enumValues.map((status) =>
    database.select().from(walk(and(eq(j.runtimeId, runtimeId), eq(j.status, status))).as(`arm_${status}`)),
  );
  return unionAll(queued!, inProgress!, ...finished)
    .orderBy(desc(sql.identifier("sequence")))
    .limit(wanted);
}

const sqlOnly: SelectSource = drizzle.mock();

/** The statement of a page of jobs, not run: what the scale test reads the query plan of. */
export function jobListQuery(filters: JobFilters): { sql: string; parameters: unknown[] } {
  const { sql: text, params } = jobListSelect(sqlOnly, filters).toSQL();
  return { sql: text, parameters: params };
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

function jobSummaryOf(row: JobListRow): JobSummary {
  return {
    jobId: row.id,
    sequence: row.sequence,
    runtimeId: row.runtimeId,
    deployedAppRid: row.deployedAppRid,
    deployedAppBranch: row.deployedAppBranch,
    queryType: row.queryType,
    status: row.status,
    attempts: row.attempts,
    submittedBy: { id: row.submittedBy },
    submittedClientId: row.submittedClientId,
    createdAt: new Date(row.createdAt).toISOString(),
    dispatchedAt: iso(row.dispatchedAt),
    finishedAt: iso(row.finishedAt),
    waitMs: row.dispatchedAt === null ? null : row.dispatchedAt - row.createdAt,
    runMs: row.dispatchedAt === null || row.finishedAt === null ? null : row.finishedAt - row.dispatchedAt,
    totalMs: row.finishedAt === null ? null : row.finishedAt - row.createdAt,
    failureName: row.failureName,
    failureMessage: row.failureMessage,
    resultBytes: row.resultBytes,
  };
}

/** Total, queued and running: each one count along an index (the finished ones are the rest). */
function jobCounts(database: FoundryDatabase): JobPage["counts"] {
  const countOf = (status?: JobStatusName) =>
    database
      .select({ n: count() })
      .from(jobs)
      .where(status === undefined ? undefined : eq(jobs.status, status))
      .get()!.n;
  const total = countOf();
  const queued = countOf("queued");
  const inProgress = countOf("inProgress");
  return { total, queued, inProgress, finished: total - queued - inProgress };
}

/** A page of jobs, newest first (see `jobListQuery`), with the counts of all jobs. */
export function listJobs(database: FoundryDatabase, filters: JobFilters): JobPage {
  const rows: JobListRow[] = jobListSelect(database, filters).all();
  const page = rows.slice(0, filters.limit);
  return {
    data: page.map(jobSummaryOf),
    nextCursor: rows.length > filters.limit ? String(page.at(-1)!.sequence) : null,
    counts: jobCounts(database),
  };
}

/** One job with its query and the beginning of its result (never more than a few kilobytes of either). */
export function jobDetail(database: FoundryDatabase, jobId: string): JobDetail | undefined {
  const row = database
    .select({
      ...listColumns,
      failureMessage: sql<string | null>`substr(${j.failureMessage}, 1, 4000)`,
      queryChars: sql<number>`length(${j.query})`,
      queryPreview: sql<string>`substr(${j.query}, 1, ${queryPreviewChars})`,
      resultPreview: sql<Buffer | null>`substr(${j.result}, 1, ${resultPreviewBytes})`,
    })
    .from(j)
    .where(eq(j.id, jobId))
    .get();
  if (!row) return undefined;
  const preview = row.resultPreview;
  const text = preview === null ? null : new TextDecoder("utf-8", { fatal: false }).decode(preview);
  const binary = preview !== null && (preview.includes(0) || (text ?? "").includes("\uFFFD"));
  return {
    ...jobSummaryOf(row),
    failureMessage: row.failureMessage,
    query: row.queryPreview,
    queryTruncated: row.queryChars > queryPreviewChars,
    result:
      preview === null
        ? null
        : {
            bytes: row.resultBytes ?? 0,
            encoding: binary ? "base64" : "utf8",
            preview: binary ? preview.toString("base64") : (text ?? ""),
            truncated: (row.resultBytes ?? 0) > resultPreviewBytes,
          },
  };
}
