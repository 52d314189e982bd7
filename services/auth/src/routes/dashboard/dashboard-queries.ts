import type Database from "better-sqlite3";
import type { Platform } from "@foundry-emulator/bootstrap";
import { derivedModuleAuthToken } from "@foundry-emulator/tokens";

/**
 * What the dashboard reads. Every list that can grow without bound (jobs, access tokens) is read a
 * page at a time with a keyset cursor along an index, so 100,000 jobs cost what 100 do; the small
 * aggregates (principals, clients, runtimes, deployed apps) are read whole, with a safety limit.
 * Never selected: secrets, token hashes, and job results beyond a short preview.
 */

const jobStatuses = ["queued", "inProgress", "succeeded", "failed", "canceled"] as const;
export type JobStatusName = (typeof jobStatuses)[number];
export const isJobStatus = (value: string): value is JobStatusName => (jobStatuses as readonly string[]).includes(value);

/** Lists that are small by nature are still bounded, so a runaway seed cannot stall the page. */
const smallListLimit = 500;
const queryPreviewChars = 8192;
const resultPreviewBytes = 4096;

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
const parseJsonArray = (text: string | null): string[] => {
  try {
    const value = JSON.parse(text ?? "[]") as unknown;
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
};

interface JobListRow {
  sequence: number;
  id: string;
  runtime_id: string;
  deployed_app_rid: string | null;
  deployed_app_branch: string | null;
  query_type: string;
  submitted_by: string;
  submitted_client_id: string | null;
  status: JobStatusName;
  attempts: number;
  created_at: number;
  dispatched_at: number | null;
  finished_at: number | null;
  failure_name: string | null;
  failure_message: string | null;
  result_bytes: number | null;
  username: string | null;
}

export interface JobFilters {
  status?: JobStatusName | undefined;
  runtimeId?: string | undefined;
  jobId?: string | undefined;
  /** The sequence of the last job of the previous page (older jobs follow). */
  before?: number | undefined;
  limit: number;
}

export interface TokenFilters {
  /** A username: a user's or a service principal's (the client id of a client_credentials client). */
  principal?: string | undefined;
  clientId?: string | undefined;
  kind?: "oauth" | "personal" | undefined;
  cursor?: TokenCursor | undefined;
  limit: number;
}

/** Active tokens are ordered by expiry, latest first, then those that never expire: `(expiresAt, rowid)`. */
export interface TokenCursor {
  expiresAt: number | null;
  rowid: number;
}

export const encodeTokenCursor = (cursor: TokenCursor) => `${cursor.expiresAt ?? "never"}.${cursor.rowid}`;
export function decodeTokenCursor(text: string): TokenCursor | undefined {
  const match = /^(never|\d{1,16})\.(\d{1,16})$/.exec(text);
  if (!match) return undefined;
  return { expiresAt: match[1] === "never" ? null : Number(match[1]), rowid: Number(match[2]) };
}

interface TokenRow {
  rowid: number;
  id: string;
  kind: "oauth" | "personal";
  principal_id: string;
  client_id: string | null;
  scopes: string;
  label: string | null;
  origin: "seed" | "runtime";
  issued_at: number;
  expires_at: number | null;
  grant_id: string | null;
  username: string | null;
  principal_kind: "user" | "service" | null;
}

const jobColumns = `j.sequence, j.id, j.runtime_id, j.deployed_app_rid, j.deployed_app_branch, j.query_type, j.submitted_by,
  j.submitted_client_id, j.status, j.attempts, j.created_at, j.dispatched_at, j.finished_at, j.failure_name,
  substr(j.failure_message, 1, 500) AS failure_message, length(j.result) AS result_bytes`;

/**
 * The SQL of a page of jobs, newest first. Each shape of filter walks an index in sequence order and
 * stops after `limit + 1` rows: the primary key (no filter), `jobs_status_sequence` (status),
 * `jobs_runtime_status_sequence` (runtime and status; runtime alone is one short walk per status,
 * merged), the unique id (one job). No shape scans the table, however many jobs it holds.
 */
export function jobListQuery(filters: JobFilters): { sql: string; parameters: Record<string, unknown> } {
  const parameters: Record<string, unknown> = { limit: filters.limit + 1, before: filters.before ?? Number.MAX_SAFE_INTEGER };
  const arm = (where: string) => `SELECT * FROM (SELECT ${jobColumns} FROM jobs j WHERE ${where} AND j.sequence < @before ORDER BY j.sequence DESC LIMIT @limit)`;
  let inner: string;
  if (filters.jobId !== undefined) {
    parameters.jobId = filters.jobId;
    inner = arm("j.id = @jobId");
  } else if (filters.runtimeId !== undefined && filters.status !== undefined) {
    Object.assign(parameters, { runtimeId: filters.runtimeId, status: filters.status });
    inner = arm("j.runtime_id = @runtimeId AND j.status = @status");
  } else if (filters.runtimeId !== undefined) {
    parameters.runtimeId = filters.runtimeId;
    inner = jobStatuses.map((status) => arm(`j.runtime_id = @runtimeId AND j.status = '${status}'`)).join(" UNION ALL ");
  } else if (filters.status !== undefined) {
    parameters.status = filters.status;
    inner = arm("j.status = @status");
  } else {
    inner = arm("1");
  }
  return {
    sql: `SELECT page.*, p.username FROM (${inner}) page LEFT JOIN principals p ON p.id = page.submitted_by ORDER BY page.sequence DESC LIMIT @limit`,
    parameters,
  };
}

export function createDashboardQueries(platform: Platform) {
  const client: Database.Database = platform.database.$client;
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = client.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  function jobWire(row: JobListRow) {
    return {
      jobId: row.id,
      sequence: row.sequence,
      runtimeId: row.runtime_id,
      deployedAppRid: row.deployed_app_rid,
      deployedAppBranch: row.deployed_app_branch,
      queryType: row.query_type,
      status: row.status,
      attempts: row.attempts,
      submittedBy: { id: row.submitted_by, username: row.username },
      submittedClientId: row.submitted_client_id,
      createdAt: iso(row.created_at),
      dispatchedAt: iso(row.dispatched_at),
      finishedAt: iso(row.finished_at),
      /** Queued → taken by a module. */
      waitMs: row.dispatched_at === null ? null : row.dispatched_at - row.created_at,
      /** Taken → finished. */
      runMs: row.dispatched_at === null || row.finished_at === null ? null : row.finished_at - row.dispatched_at,
      totalMs: row.finished_at === null ? null : row.finished_at - row.created_at,
      failureName: row.failure_name,
      failureMessage: row.failure_message,
      resultBytes: row.result_bytes,
    };
  }

  /** A page of jobs, newest first (see `jobListQuery`), with the counts of the header. */
  function listJobs(filters: JobFilters) {
    const { sql, parameters } = jobListQuery(filters);
    const rows = prepared(sql).all(parameters) as JobListRow[];
    const page = rows.slice(0, filters.limit);
    return {
      data: page.map(jobWire),
      nextCursor: rows.length > filters.limit ? String(page.at(-1)!.sequence) : null,
      counts: jobCounts(),
    };
  }

  /** Total, queued and running: each one index lookup (the finished ones are the rest). */
  function jobCounts() {
    const total = (prepared("SELECT count(*) AS n FROM jobs").get() as { n: number }).n;
    const byStatus = prepared("SELECT count(*) AS n FROM jobs WHERE status = ?");
    const queued = (byStatus.get("queued") as { n: number }).n;
    const inProgress = (byStatus.get("inProgress") as { n: number }).n;
    return { total, queued, inProgress, finished: total - queued - inProgress };
  }

  /** One job with its query and the beginning of its result (never more than a few kilobytes). */
  function jobDetail(jobId: string) {
    const row = prepared(
      `SELECT ${jobColumns}, substr(j.failure_message, 1, 4000) AS full_failure_message, p.username,
         length(j.query) AS query_chars, substr(j.query, 1, ${queryPreviewChars}) AS query_preview,
         substr(j.result, 1, ${resultPreviewBytes}) AS result_preview
       FROM jobs j LEFT JOIN principals p ON p.id = j.submitted_by WHERE j.id = ?`,
    ).get(jobId) as (JobListRow & { full_failure_message: string | null; query_chars: number; query_preview: string; result_preview: Buffer | null }) | undefined;
    if (!row) return undefined;
    const preview = row.result_preview;
    const text = preview === null ? null : new TextDecoder("utf-8", { fatal: false }).decode(preview);
    const binary = preview !== null && (preview.includes(0) || (text ?? "").includes("\uFFFD"));
    return {
      ...jobWire(row),
      failureMessage: row.full_failure_message,
      query: row.query_preview,
      queryTruncated: row.query_chars > queryPreviewChars,
      result:
        preview === null
          ? null
          : {
              bytes: row.result_bytes ?? 0,
              encoding: binary ? ("base64" as const) : ("utf8" as const),
              preview: binary ? preview.toString("base64") : text,
              truncated: (row.result_bytes ?? 0) > resultPreviewBytes,
            },
    };
  }

  function principalIdsOf(username: string): string[] {
    return (prepared("SELECT id FROM principals WHERE username = ?").all(username) as { id: string }[]).map((row) => row.id);
  }

  /**
   * Access tokens that are neither revoked nor expired, latest expiry first, then those without an
   * expiry; two walks along `access_tokens_expires`, continued by the `(expiresAt, rowid)` cursor.
   */
  function listActiveTokens(filters: TokenFilters) {
    const now = platform.now();
    const conditions = ["t.revoked_at IS NULL"];
    const parameters: Record<string, unknown> = { now };
    if (filters.principal !== undefined) {
      const ids = principalIdsOf(filters.principal);
      if (ids.length === 0) return { data: [], nextCursor: null };
      conditions.push(`t.principal_id IN (${ids.map((_, index) => `@principal${index}`).join(", ")})`);
      ids.forEach((id, index) => (parameters[`principal${index}`] = id));
    }
    if (filters.clientId !== undefined) {
      conditions.push("t.client_id = @clientId");
      parameters.clientId = filters.clientId;
    }
    if (filters.kind !== undefined) {
      conditions.push("t.kind = @kind");
      parameters.kind = filters.kind;
    }
    const select = (where: string, order: string) =>
      `SELECT t.rowid AS rowid, t.id, t.kind, t.principal_id, t.client_id, t.scopes, t.label, t.origin, t.issued_at, t.expires_at, t.grant_id,
         p.username, p.kind AS principal_kind
       FROM access_tokens t LEFT JOIN principals p ON p.id = t.principal_id
       WHERE ${[...conditions, where].join(" AND ")} ORDER BY ${order} LIMIT @limit`;

    const wanted = filters.limit + 1;
    const rows: TokenRow[] = [];
    const cursor = filters.cursor;
    if (!cursor || cursor.expiresAt !== null) {
      const after = cursor ? "(t.expires_at < @cursorExpiresAt OR (t.expires_at = @cursorExpiresAt AND t.rowid < @cursorRowid))" : "1";
      rows.push(
        ...(prepared(select(`t.expires_at > @now AND ${after}`, "t.expires_at DESC, t.rowid DESC")).all({
          ...parameters,
          limit: wanted,
          ...(cursor ? { cursorExpiresAt: cursor.expiresAt, cursorRowid: cursor.rowid } : {}),
        }) as TokenRow[]),
      );
    }
    if (rows.length < wanted) {
      const after = cursor?.expiresAt === null ? "t.rowid < @cursorRowid" : "1";
      rows.push(
        ...(prepared(select(`t.expires_at IS NULL AND ${after}`, "t.rowid DESC")).all({
          ...parameters,
          limit: wanted - rows.length,
          ...(cursor?.expiresAt === null ? { cursorRowid: cursor.rowid } : {}),
        }) as TokenRow[]),
      );
    }
    const page = rows.slice(0, filters.limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => ({
        tokenId: row.id,
        kind: row.kind,
        principal: { id: row.principal_id, username: row.username, kind: row.principal_kind },
        clientId: row.client_id,
        scopes: parseJsonArray(row.scopes),
        label: row.label,
        origin: row.origin,
        issuedAt: iso(row.issued_at),
        expiresAt: iso(row.expires_at),
      })),
      nextCursor: rows.length > filters.limit && last ? encodeTokenCursor({ expiresAt: last.expires_at, rowid: last.rowid }) : null,
    };
  }

  /** Principals, clients, runtimes, deployed apps and personal tokens: small, read whole. */
  function overview() {
    const now = platform.now();
    const connectedWithinMs = platform.environment.FOUNDRY_JOB_POLL_WAIT_MS + 15_000;
    const principals = (
      prepared(
        `SELECT id, kind, username, display_name, email, realm, organization_rid, active, origin FROM principals ORDER BY kind DESC, username LIMIT ${smallListLimit}`,
      ).all() as Array<{ id: string; kind: string; username: string; display_name: string | null; email: string | null; realm: string; organization_rid: string | null; active: number; origin: string }>
    ).map((row) => ({
      id: row.id,
      kind: row.kind,
      username: row.username,
      displayName: row.display_name,
      email: row.email,
      realm: row.realm,
      organizationRid: row.organization_rid,
      active: row.active === 1,
      origin: row.origin,
    }));
    const oauthClients = (
      prepared(
        `SELECT c.client_id, c.name, c.confidential, c.redirect_uris, c.grant_types, c.allowed_scopes, c.origin,
           (SELECT count(*) FROM oauth_client_secrets s WHERE s.client_id = c.client_id) AS secrets
         FROM oauth_clients c ORDER BY c.client_id LIMIT ${smallListLimit}`,
      ).all() as Array<{ client_id: string; name: string | null; confidential: number; redirect_uris: string; grant_types: string; allowed_scopes: string; origin: string; secrets: number }>
    ).map((row) => ({
      clientId: row.client_id,
      name: row.name,
      confidential: row.confidential === 1,
      redirectUris: parseJsonArray(row.redirect_uris),
      grantTypes: parseJsonArray(row.grant_types),
      allowedScopes: parseJsonArray(row.allowed_scopes),
      origin: row.origin,
      /** How many live secrets it has; their values are never shown (only hashes are stored). */
      secretCount: row.secrets,
    }));
    const schemasByRuntime = new Map<string, string[]>();
    for (const row of prepared(`SELECT runtime_id, function_name, updated_at FROM function_schemas ORDER BY runtime_id, function_name LIMIT 5000`).all() as Array<{
      runtime_id: string;
      function_name: string;
    }>) {
      schemasByRuntime.set(row.runtime_id, [...(schemasByRuntime.get(row.runtime_id) ?? []), row.function_name]);
    }
    const activeJobs = prepared("SELECT count(*) AS n FROM jobs WHERE runtime_id = ? AND status = ?");
    const runtimes = (
      prepared(`SELECT id, display_name, module_auth_token_generated, max_concurrent_tasks, origin, created_at, last_poll_at FROM runtimes ORDER BY id LIMIT ${smallListLimit}`).all() as Array<{
        id: string;
        display_name: string | null;
        module_auth_token_generated: number;
        max_concurrent_tasks: number;
        origin: string;
        created_at: number;
        last_poll_at: number | null;
      }>
    ).map((row) => ({
      runtimeId: row.id,
      displayName: row.display_name,
      // A token the seed left out is derived, not stored, so it can be shown; others are known only as digests.
      generatedModuleAuthToken: row.module_auth_token_generated === 1 ? derivedModuleAuthToken(platform.database, row.id) : null,
      maxConcurrentTasks: row.max_concurrent_tasks,
      origin: row.origin,
      createdAt: iso(row.created_at),
      lastPollAt: iso(row.last_poll_at),
      /** A module polled within the poll wait (plus a margin): it is connected and taking jobs. */
      connected: row.last_poll_at !== null && now - row.last_poll_at <= connectedWithinMs,
      schemas: schemasByRuntime.get(row.id) ?? [],
      queued: (activeJobs.get(row.id, "queued") as { n: number }).n,
      inProgress: (activeJobs.get(row.id, "inProgress") as { n: number }).n,
    }));
    const deployedApps = (
      prepared(`SELECT rid, branch, runtime_id, display_name, active, origin, created_at FROM deployed_apps ORDER BY rid, branch LIMIT ${smallListLimit}`).all() as Array<{
        rid: string;
        branch: string;
        runtime_id: string;
        display_name: string | null;
        active: number;
        origin: string;
        created_at: number;
      }>
    ).map((row) => ({ rid: row.rid, branch: row.branch, runtimeId: row.runtime_id, displayName: row.display_name, active: row.active === 1, origin: row.origin, createdAt: iso(row.created_at) }));
    // Personal tokens are the only ones with a digest: found along access_tokens_token_hash, not by
    // reading every access token (one per dispatched job).
    const personalTokens = (
      prepared(
        `SELECT t.id, p.username, t.scopes, t.label, t.origin, t.issued_at, t.expires_at, t.revoked_at
         FROM access_tokens t JOIN principals p ON p.id = t.principal_id
         WHERE t.token_hash IS NOT NULL AND t.kind = 'personal' ORDER BY t.issued_at DESC LIMIT ${smallListLimit}`,
      ).all() as Array<{ id: string; username: string; scopes: string; label: string | null; origin: string; issued_at: number; expires_at: number | null; revoked_at: number | null }>
    ).map((row) => ({
      tokenId: row.id,
      username: row.username,
      scopes: parseJsonArray(row.scopes),
      label: row.label,
      origin: row.origin,
      createdAt: iso(row.issued_at),
      expiresAt: iso(row.expires_at),
      revoked: row.revoked_at !== null,
    }));
    return { principals, oauthClients, runtimes, deployedApps, personalTokens };
  }

  return { listJobs, jobDetail, listActiveTokens, overview };
}

export type DashboardQueries = ReturnType<typeof createDashboardQueries>;
