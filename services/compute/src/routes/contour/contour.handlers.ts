import type { Context } from "hono";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { deployedApps, functionSchemas } from "@foundry-emulator/db";
import { invalidRequest, type ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { readJsonBody } from "../../http/read-body";
import { jobKey } from "../../queue/wake-ups";
import { computeErrors } from "../../wire/errors";
import { jobOf, jobStatusOf, type JobRow } from "../../wire/job-status";

type ContourContext = Context<ServiceBindings>;

/** `SubmitJobToDeployedAppRequest`. */
const submitJobBody = z.object({
  deployedAppRid: z.string().min(1).max(512),
  deployedAppBranch: z.string().min(1).max(200).nullish(),
  queryType: z.string().min(1).max(512),
  query: z.json(),
});

/** A `Job` as returned by submit (only its id matters), or the bare job id. */
const jobReferenceBody = z.union([z.string().min(1).max(200), z.looseObject({ id: z.string().min(1).max(200) })]);

const octetStream = { "Content-Type": "application/octet-stream" };

/** The routes applications call (module-group multiplexer), behind a bearer token. */
export function createContourHandlers(dependencies: ComputeDependencies) {
  const { platform, settings, queue, wakeUps } = dependencies;
  const { database } = platform;

  const deployedAppBinding = database
    .select()
    .from(deployedApps)
    .where(and(eq(deployedApps.rid, sql.placeholder("rid")), eq(deployedApps.branch, sql.placeholder("branch"))))
    .prepare();

  /** The active binding of a deployed app's branch (default `master`): 404 unknown, 409 inactive. */
  function resolveDeployedApp(rid: string, branch: string, options: { requireActive: boolean }) {
    const binding = deployedAppBinding.get({ rid, branch });
    if (!binding) throw computeErrors.deployedAppNotFound(rid, branch);
    if (options.requireActive && !binding.active) throw computeErrors.deployedAppNotActive(rid, branch);
    return binding;
  }

  async function submit(context: ContourContext): Promise<JobRow> {
    const token = context.get("verifiedToken");
    const body = await readJsonBody(context.req.raw, settings.maxJsonBodyBytes, submitJobBody);
    const branch = body.deployedAppBranch ?? "master";
    const binding = resolveDeployedApp(body.deployedAppRid, branch, { requireActive: true });
    return queue.enqueue({
      runtimeId: binding.runtimeId,
      deployedAppRid: body.deployedAppRid,
      deployedAppBranch: branch,
      queryType: body.queryType,
      query: body.query,
      submitter: { principalId: token.principal.id, scopes: token.scopes, clientId: token.clientId },
    });
  }

  /** A job of the caller: 404 when unknown or past retention, 403 when someone else submitted it. */
  function ownedJob(context: ContourContext, jobId: string): JobRow {
    const job = queue.find(jobId);
    if (job && queue.isExpired(job)) {
      // Past its retention: gone, whether or not the sweep has come by yet.
      queue.removeExpired();
      throw computeErrors.jobNotFound(jobId);
    }
    if (!job) throw computeErrors.jobNotFound(jobId);
    if (job.submittedBy !== context.get("verifiedToken").principal.id) throw computeErrors.jobAccessDenied(jobId);
    return job;
  }

  async function jobIdFromBody(context: ContourContext): Promise<string> {
    const reference = await readJsonBody(context.req.raw, settings.maxJsonBodyBytes, jobReferenceBody);
    return typeof reference === "string" ? reference : reference.id;
  }

  /** The bytes of a succeeded job; a clear error for any other state. */
  function resultOf(context: ContourContext, job: JobRow) {
    switch (job.status) {
      case "succeeded":
        return context.body(new Uint8Array(job.result ?? Buffer.alloc(0)), 200, octetStream);
      case "failed":
        throw computeErrors.jobFailed(job);
      case "canceled":
        throw computeErrors.jobCanceled(job);
      default:
        throw computeErrors.jobNotFinished(job);
    }
  }

  function statusOf(job: JobRow) {
    return jobStatusOf(job, { runtimeEverPolled: job.status !== "queued" || queue.runtimeEverPolled(job.runtimeId) });
  }

  function cancel(context: ContourContext, jobId: string) {
    ownedJob(context, jobId);
    queue.cancel(jobId, "Canceled by the submitter.");
    return context.body(null, 204);
  }

  function schemasOfRuntime(runtimeId: string) {
    return database
      .select()
      .from(functionSchemas)
      .where(eq(functionSchemas.runtimeId, runtimeId))
      .orderBy(functionSchemas.functionName)
      .all()
      .map((row) => {
        const specification = row.specification as Record<string, unknown>;
        return { ...specification, functionName: row.functionName, issues: Array.isArray(specification.issues) ? specification.issues : [] };
      });
  }

  return {
    /**
     * POST /compute-modules/jobs/execute (and /deployed-apps/jobs/execute): queue, wait for the
     * result without polling, and answer the module's bytes unchanged (error objects included: a
     * module's error result is still its result). Timeout → 500 `ModuleGroupMultiplexer:SyncExecuteTimedOut`.
     */
    async execute(context: ContourContext) {
      const signal = context.req.raw.signal;
      const job = await submit(context);
      const deadline = performance.now() + settings.syncExecuteTimeoutMs;
      for (;;) {
        const version = wakeUps.dataVersion();
        const current = queue.find(job.id);
        if (!current) throw computeErrors.jobNotFound(job.id);
        if (current.status === "succeeded" || current.status === "failed" || current.status === "canceled") {
          if (current.result !== null) return context.body(new Uint8Array(current.result), 200, octetStream);
          throw current.status === "canceled" ? computeErrors.jobCanceled(current) : computeErrors.jobFailed(current);
        }
        const outcome = await wakeUps.wait(jobKey(job.id), { version, timeoutMs: deadline - performance.now(), signal });
        if (outcome === "aborted") {
          // The caller went away: stop waiting. A job no module took yet is canceled; one already
          // running finishes and is kept (and removed) like any other.
          queue.cancelIfQueued(job.id, "The caller of the synchronous execute disconnected before a module took the job.");
          return context.body(null, 204);
        }
        if (outcome === "timeout") {
          const last = queue.find(job.id);
          if (last && last.status !== "queued" && last.status !== "inProgress") continue;
          queue.cancelIfQueued(job.id, `No module took the job within the sync execute timeout of ${settings.syncExecuteTimeoutMs} ms.`);
          throw computeErrors.syncExecuteTimedOut(job.id, settings.syncExecuteTimeoutMs);
        }
      }
    },

    /** POST /deployed-apps/jobs: queue and answer the `Job` at once. */
    async submitJob(context: ContourContext) {
      const job = await submit(context);
      return context.json(jobOf(job, { runtimeEverPolled: queue.runtimeEverPolled(job.runtimeId) }));
    },

    /** GET /jobs/:jobId/status. */
    async getStatus(context: ContourContext) {
      return context.json(statusOf(ownedJob(context, context.req.param("jobId") ?? "")));
    },

    /** PUT /jobs/status/v2 with the `Job`. */
    async getStatusV2(context: ContourContext) {
      return context.json(statusOf(ownedJob(context, await jobIdFromBody(context))));
    },

    /** GET /jobs/:jobId/result. */
    async getResult(context: ContourContext) {
      return resultOf(context, ownedJob(context, context.req.param("jobId") ?? ""));
    },

    /** PUT /jobs/result/v2 with the `Job` (or its id). */
    async getResultV2(context: ContourContext) {
      return resultOf(context, ownedJob(context, await jobIdFromBody(context)));
    },

    /** DELETE /jobs/:jobId and PUT /jobs/:jobId/soft-cancel: cancel; a finished job stays as it is. */
    async cancel(context: ContourContext) {
      return cancel(context, context.req.param("jobId") ?? "");
    },

    /** DELETE /jobs with the `Job`. */
    async cancelV2(context: ContourContext) {
      return cancel(context, await jobIdFromBody(context));
    },

    /** GET /deployed-apps/:rid/:branch/function-schemas: what the module posted. */
    async deployedAppSchemas(context: ContourContext) {
      const binding = resolveDeployedApp(context.req.param("rid") ?? "", context.req.param("branch") ?? "", { requireActive: false });
      return context.json(schemasOfRuntime(binding.runtimeId));
    },

    /** GET /schemas?rid=&branch=: the same, by query parameters. */
    async computeModuleSchemas(context: ContourContext) {
      const rid = context.req.query("rid");
      if (!rid) throw invalidRequest([{ path: "rid", message: "the query parameter is required" }]);
      const binding = resolveDeployedApp(rid, context.req.query("branch") || "master", { requireActive: false });
      return context.json(schemasOfRuntime(binding.runtimeId));
    },
  };
}
