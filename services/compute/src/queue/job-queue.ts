import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNotNull, lte, min, or, sql } from "drizzle-orm";
import { accessTokens, jobs, principals, runtimes, type FoundryDatabase } from "@foundry-emulator/db";
import { recordAccessToken, type AccessTokenClaims } from "@foundry-emulator/tokens";
import type { ComputeSettings } from "../settings";
import { computeErrors } from "../wire/errors";
import { jobFailures, type JobRow } from "../wire/job-status";
import { classifyResult } from "./classify-result";
import { jobKey, runtimeKey, type WakeUps } from "./wake-ups";

export interface Submitter {
  principalId: string;
  scopes: string[];
  clientId: string | null;
}

export interface NewJob {
  runtimeId: string;
  deployedAppRid: string | null;
  deployedAppBranch: string | null;
  queryType: string;
  query: unknown;
  submitter: Submitter;
}

export type Dispatch =
  | { kind: "job"; job: JobRow; tokenClaims: AccessTokenClaims }
  | { kind: "none" }
  /** The runtime was reset (new token) or removed since the poller authenticated. */
  | { kind: "session-ended" };

export type PostResultOutcome = { ok: true; job: JobRow } | { ok: false; error: Error };

const finishedStatuses = ["succeeded", "failed", "canceled"] as const;
const removalBatch = 500;

export interface JobQueueDependencies {
  database: FoundryDatabase;
  now: () => number;
  settings: ComputeSettings;
  wakeUps: WakeUps;
}

export type JobQueue = ReturnType<typeof createJobQueue>;

/**
 * The job queue in SQLite. Every state change is one transaction (IMMEDIATE when it reads before
 * writing, so two processes sharing the file serialize), and the wake-ups are sent after the commit.
 *
 *   queued ──dispatch──▶ inProgress ──result──▶ succeeded | failed (error object)
 *     ▲                     │ lease expiry: back to queued while attempts < max, else failed
 *     └─────────────────────┘ restart notification / runtime reset: failed
 *   queued | inProgress ──cancel──▶ canceled
 *
 * Dispatch happens only while the runtime has fewer than its `max_concurrent_tasks` jobs inProgress.
 */
export function createJobQueue({ database, now, settings, wakeUps }: JobQueueDependencies) {
  const client = database.$client;

  // The runtime's next queued job and how many it is running, in one statement: two lookups on the
  // (runtime_id, status, sequence) index, so counting the in-flight jobs costs no scan.
  const queueStateOfRuntime = client.prepare<{ runtimeId: string }, { next: number | null; inFlight: number }>(
    `SELECT (SELECT sequence FROM jobs WHERE runtime_id = @runtimeId AND status = 'queued' ORDER BY sequence LIMIT 1) AS next,
            (SELECT count(*) FROM jobs WHERE runtime_id = @runtimeId AND status = 'inProgress') AS inFlight`,
  );
  // The statements of the hot paths (submit, poll/dispatch, result, status), prepared once: building
  // a query with drizzle's builder and compiling it costs ~60 µs a time, a prepared one ~5 µs.
  const placeholder = sql.placeholder;
  // update().set() takes no placeholder directly; wrapped in sql it is bound as it is (text, integer, blob).
  const bound = (name: string) => sql`${sql.placeholder(name)}`;
  const statements = {
    jobById: database.select().from(jobs).where(eq(jobs.id, placeholder("id"))).prepare(),
    insertJob: database
      .insert(jobs)
      .values({
        id: placeholder("id"),
        runtimeId: placeholder("runtimeId"),
        deployedAppRid: placeholder("deployedAppRid"),
        deployedAppBranch: placeholder("deployedAppBranch"),
        queryType: placeholder("queryType"),
        query: placeholder("query"),
        submittedBy: placeholder("submittedBy"),
        submittedScopes: placeholder("submittedScopes"),
        submittedClientId: placeholder("submittedClientId"),
        status: "queued",
        createdAt: placeholder("createdAt"),
      })
      .returning()
      .prepare(),
    expiredLeaseOfRuntime: database
      .select({ sequence: jobs.sequence })
      .from(jobs)
      .where(and(eq(jobs.runtimeId, placeholder("runtimeId")), eq(jobs.status, "inProgress"), lte(jobs.leaseExpiresAt, placeholder("at"))))
      .limit(1)
      .prepare(),
    expiredLeasesOfRuntime: database
      .select()
      .from(jobs)
      .where(and(eq(jobs.status, "inProgress"), lte(jobs.leaseExpiresAt, placeholder("at")), eq(jobs.runtimeId, placeholder("runtimeId"))))
      .prepare(),
    expiredLeases: database
      .select()
      .from(jobs)
      .where(and(eq(jobs.status, "inProgress"), lte(jobs.leaseExpiresAt, placeholder("at"))))
      .prepare(),
    runtimeSession: database
      .select({ hash: runtimes.moduleAuthTokenHash, maxConcurrentTasks: runtimes.maxConcurrentTasks })
      .from(runtimes)
      .where(eq(runtimes.id, placeholder("runtimeId")))
      .prepare(),
    claim: database
      .update(jobs)
      .set({ status: "inProgress", attempts: sql`${jobs.attempts} + 1`, leaseExpiresAt: bound("leaseExpiresAt"), dispatchedAt: bound("at") })
      .where(and(eq(jobs.sequence, placeholder("sequence")), eq(jobs.status, "queued")))
      .returning()
      .prepare(),
    organizationOf: database.select({ organizationRid: principals.organizationRid }).from(principals).where(eq(principals.id, placeholder("id"))).prepare(),
    setDispatchToken: database.update(jobs).set({ dispatchTokenId: bound("tokenId") }).where(eq(jobs.sequence, placeholder("sequence"))).returning().prepare(),
    finish: database
      .update(jobs)
      .set({
        status: bound("status"),
        result: bound("result"),
        finishedAt: bound("at"),
        leaseExpiresAt: null,
        failureName: bound("failureName"),
        failureMessage: bound("failureMessage"),
      })
      .where(eq(jobs.sequence, placeholder("sequence")))
      .returning()
      .prepare(),
    polledRuntime: database.select({ id: runtimes.id }).from(runtimes).where(and(eq(runtimes.id, placeholder("runtimeId")), isNotNull(runtimes.lastPollAt))).prepare(),
    touchRuntime: database
      .update(runtimes)
      .set({ lastPollAt: bound("at") })
      .where(and(eq(runtimes.id, placeholder("runtimeId")), or(sql`${runtimes.lastPollAt} IS NULL`, lte(runtimes.lastPollAt, placeholder("staleBefore")))))
      .prepare(),
  };

  /** Wakes the sync waiters of finished jobs, and the pollers of their runtimes: a slot may have freed. */
  function notifyFinished(finished: readonly JobRow[]) {
    for (const job of finished) wakeUps.notify(jobKey(job.id));
    for (const runtimeId of new Set(finished.map((job) => job.runtimeId))) wakeUps.notify(runtimeKey(runtimeId));
  }

  function findRow(jobId: string): JobRow | undefined {
    return statements.jobById.get({ id: jobId });
  }

  /** Lease expiry inside the caller's transaction: re-queue while attempts remain, else fail. */
  function expireLeasesInTransaction(runtimeId: string | undefined): { requeued: JobRow[]; failed: JobRow[] } {
    const at = now();
    const expired = runtimeId === undefined ? statements.expiredLeases.all({ at }) : statements.expiredLeasesOfRuntime.all({ at, runtimeId });
    const requeued: JobRow[] = [];
    const failed: JobRow[] = [];
    for (const job of expired) {
      if (job.attempts < settings.maxAttempts) {
        const [row] = database
          .update(jobs)
          .set({ status: "queued", leaseExpiresAt: null })
          .where(and(eq(jobs.sequence, job.sequence), eq(jobs.status, "inProgress")))
          .returning()
          .all();
        if (row) requeued.push(row);
      } else {
        const [row] = database
          .update(jobs)
          .set({
            status: "failed",
            leaseExpiresAt: null,
            finishedAt: at,
            failureName: jobFailures.leaseExpired,
            failureMessage: `No result arrived within the lease of ${settings.leaseMs} ms on any of ${job.attempts} attempt(s).`,
          })
          .where(and(eq(jobs.sequence, job.sequence), eq(jobs.status, "inProgress")))
          .returning()
          .all();
        if (row) failed.push(row);
      }
    }
    return { requeued, failed };
  }

  /** Re-queued jobs are work for their runtime's pollers; failed ones free its slots. */
  function announceExpiry(outcome: { requeued: JobRow[]; failed: JobRow[] }) {
    for (const runtimeId of new Set(outcome.requeued.map((job) => job.runtimeId))) wakeUps.notify(runtimeKey(runtimeId));
    notifyFinished(outcome.failed);
  }

  return {
    find: findRow,

    /** Queues a job and wakes the runtime's pollers in this process. */
    enqueue(input: NewJob): JobRow {
      const row = statements.insertJob.get({
        id: randomUUID(),
        runtimeId: input.runtimeId,
        deployedAppRid: input.deployedAppRid,
        deployedAppBranch: input.deployedAppBranch,
        queryType: input.queryType,
        query: input.query,
        submittedBy: input.submitter.principalId,
        submittedScopes: input.submitter.scopes,
        submittedClientId: input.submitter.clientId,
        createdAt: now(),
      })!;
      wakeUps.notify(runtimeKey(input.runtimeId));
      return row;
    },

    /**
     * Hands the oldest queued job of a runtime to one poller, unless the runtime already runs its
     * `max_concurrent_tasks` jobs (the MAX_CONCURRENT_TASKS its module was handed): then "none", and
     * the poll waits like one on an empty queue until a result, a cancel or a lease expiry frees a
     * slot. One IMMEDIATE transaction counts the in-flight jobs and claims the job (so two pollers,
     * in this process or another, never get the same job nor exceed the limit together), starts its
     * lease, and records the access token the module receives for the submitter. Expired leases of
     * the runtime are settled first. A cheap read skips the write lock when nothing can be handed out.
     */
    dispatchNext(runtimeId: string, authenticatedTokenHash: string): Dispatch {
      const currentSession = () => {
        const session = statements.runtimeSession.get({ runtimeId });
        return session?.hash === authenticatedTokenHash ? session : undefined;
      };
      const session = currentSession();
      if (!session) return { kind: "session-ended" };
      const queueState = queueStateOfRuntime.get({ runtimeId })!;
      const canHandOut = queueState.next !== null && queueState.inFlight < session.maxConcurrentTasks;
      // An expired lease re-queues a job or frees a slot: settle it in the transaction below.
      if (!canHandOut && statements.expiredLeaseOfRuntime.get({ runtimeId, at: now() }) === undefined) return { kind: "none" };

      let expiry = { requeued: [] as JobRow[], failed: [] as JobRow[] };
      const claim = client.transaction((): Dispatch => {
        const session = currentSession();
        if (!session) return { kind: "session-ended" };
        expiry = expireLeasesInTransaction(runtimeId);
        const { next, inFlight } = queueStateOfRuntime.get({ runtimeId })!;
        if (next === null || inFlight >= session.maxConcurrentTasks) return { kind: "none" };
        const at = now();
        const claimed = statements.claim.get({ sequence: next, leaseExpiresAt: at + settings.leaseMs, at });
        if (!claimed) return { kind: "none" };
        const principal = statements.organizationOf.get({ id: claimed.submittedBy });
        const tokenClaims = recordAccessToken(database, {
          principalId: claimed.submittedBy,
          organizationRid: principal?.organizationRid ?? null,
          clientId: claimed.submittedClientId,
          grantId: null,
          scopes: claimed.submittedScopes,
          ttlSeconds: settings.jobTokenTtlSeconds,
          now: at,
        });
        const job = statements.setDispatchToken.get({ tokenId: tokenClaims.tokenId, sequence: claimed.sequence })!;
        return { kind: "job", job, tokenClaims };
      });
      const dispatch = claim.immediate();
      announceExpiry(expiry);
      return dispatch;
    },

    /** Puts back a job whose poller went away before it could be answered (not counted as an attempt). */
    release(job: JobRow): void {
      const released = database
        .update(jobs)
        .set({ status: "queued", attempts: sql`max(${jobs.attempts} - 1, 0)`, leaseExpiresAt: null })
        .where(and(eq(jobs.id, job.id), eq(jobs.status, "inProgress"), eq(jobs.attempts, job.attempts)))
        .returning()
        .get();
      if (released) wakeUps.notify(runtimeKey(job.runtimeId));
    },

    /**
     * Stores a module's result byte for byte. Accepted only from the runtime the job was dispatched
     * to, while the job is not finished (a job re-queued after a lease expiry still takes the late
     * result of its earlier attempt: the first result wins).
     */
    postResult(runtimeId: string, jobId: string, bytes: Buffer): PostResultOutcome {
      const outcome = classifyResult(bytes);
      const store = client.transaction((): PostResultOutcome => {
        const job = findRow(jobId);
        if (!job || job.runtimeId !== runtimeId) return { ok: false, error: computeErrors.runtimeJobNotFound(runtimeId, jobId) };
        if (job.status === "queued" && job.attempts === 0) return { ok: false, error: computeErrors.jobNotDispatched(jobId) };
        if (job.status !== "queued" && job.status !== "inProgress") return { ok: false, error: computeErrors.resultAlreadyFinished(job) };
        const finished = statements.finish.get({
          sequence: job.sequence,
          status: outcome.failed ? "failed" : "succeeded",
          result: bytes,
          at: now(),
          failureName: outcome.failed ? jobFailures.moduleReportedError : null,
          failureMessage: outcome.failed ? outcome.message : null,
        })!;
        return { ok: true, job: finished };
      });
      const stored = store.immediate();
      if (stored.ok) notifyFinished([stored.job]);
      return stored;
    },

    /** Cancels a queued or running job; a finished job is left as it is. Returns the job as it ends up. */
    cancel(jobId: string, message: string): JobRow | undefined {
      const canceled = database
        .update(jobs)
        .set({ status: "canceled", finishedAt: now(), leaseExpiresAt: null, failureName: jobFailures.canceled, failureMessage: message })
        .where(and(eq(jobs.id, jobId), inArray(jobs.status, ["queued", "inProgress"])))
        .returning()
        .get();
      if (canceled) {
        notifyFinished([canceled]);
        return canceled;
      }
      return findRow(jobId);
    },

    /** Cancels a job only if no module has taken it yet (a sync caller that gave up). */
    cancelIfQueued(jobId: string, message: string): boolean {
      const canceled = database
        .update(jobs)
        .set({ status: "canceled", finishedAt: now(), failureName: jobFailures.canceled, failureMessage: message })
        .where(and(eq(jobs.id, jobId), eq(jobs.status, "queued")))
        .returning()
        .get();
      if (canceled) notifyFinished([canceled]);
      return canceled !== undefined;
    },

    /** Fails every job a runtime is running (restart notification, session reset); returns them. */
    failInFlight(runtimeId: string, failureName: string, failureMessage: string): JobRow[] {
      const failed = database
        .update(jobs)
        .set({ status: "failed", finishedAt: now(), leaseExpiresAt: null, failureName, failureMessage })
        .where(and(eq(jobs.runtimeId, runtimeId), eq(jobs.status, "inProgress")))
        .returning()
        .all();
      notifyFinished(failed);
      return failed;
    },

    /** Settles every expired lease (all runtimes). */
    expireLeases(): { requeued: JobRow[]; failed: JobRow[] } {
      let outcome = { requeued: [] as JobRow[], failed: [] as JobRow[] };
      client.transaction(() => (outcome = expireLeasesInTransaction(undefined))).immediate();
      announceExpiry(outcome);
      return outcome;
    },

    /** When the next lease of a running job expires, if any. */
    nextLeaseExpiry(): number | undefined {
      const row = database
        .select({ at: min(jobs.leaseExpiresAt) })
        .from(jobs)
        .where(and(eq(jobs.status, "inProgress"), isNotNull(jobs.leaseExpiresAt)))
        .get();
      return row?.at ?? undefined;
    },

    /** Removes finished jobs older than the retention, with the access tokens minted for them. */
    removeExpired(): number {
      const cutoff = now() - settings.retentionMs;
      let removed = 0;
      for (;;) {
        const batch = client.transaction(() => {
          const expired = database
            .select({ sequence: jobs.sequence, dispatchTokenId: jobs.dispatchTokenId })
            .from(jobs)
            .where(and(inArray(jobs.status, [...finishedStatuses]), lte(jobs.finishedAt, cutoff)))
            .limit(removalBatch)
            .all();
          if (expired.length === 0) return 0;
          database.delete(jobs).where(inArray(jobs.sequence, expired.map((job) => job.sequence))).run();
          const tokenIds = expired.map((job) => job.dispatchTokenId).filter((id): id is string => id !== null);
          if (tokenIds.length) database.delete(accessTokens).where(inArray(accessTokens.id, tokenIds)).run();
          return expired.length;
        });
        const count = batch.immediate();
        removed += count;
        if (count < removalBatch) return removed;
      }
    },

    /** True when a finished job is past its retention (it is then treated as gone). */
    isExpired(job: JobRow): boolean {
      return job.finishedAt !== null && job.finishedAt <= now() - settings.retentionMs;
    },

    /** Whether a runtime has ever been polled (for the queued status's queueInfo). */
    runtimeEverPolled(runtimeId: string): boolean {
      return statements.polledRuntime.get({ runtimeId }) !== undefined;
    },

    /** Records a poll (at most one write every few seconds per runtime). */
    touchRuntime(runtimeId: string): void {
      const at = now();
      statements.touchRuntime.run({ runtimeId, at, staleBefore: at - 5000 });
    },
  };
}
