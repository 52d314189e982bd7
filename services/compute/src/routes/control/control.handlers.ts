import type { Context } from "hono";
import { foundryErrors, type ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { computeErrors } from "../../wire/errors";
import type { JobRow } from "../../wire/job-status";

type ControlContext = Context<ServiceBindings>;

/** What the control routes answer about a job (never its query or result). */
function jobSummaryOf(job: JobRow) {
  return {
    jobId: job.id,
    runtimeId: job.runtimeId,
    status: job.status,
    failureName: job.failureName,
    failureMessage: job.failureMessage,
    finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
  };
}

/** Cancel and result download for any job, whoever submitted it (the control plane's view). */
export function createComputeControlHandlers({ queue }: ComputeDependencies) {
  function jobOrNotFound(jobId: string): JobRow {
    const job = queue.find(jobId);
    if (!job || queue.isExpired(job)) throw computeErrors.jobNotFound(jobId);
    return job;
  }

  return {
    /**
     * POST /jobs/:jobId/cancel: the queue's own cancel, so a sync execute waiting on the job and a
     * module's result both see it at once. 200 with the job; 409 when it had already finished.
     */
    cancel(context: ControlContext) {
      const jobId = context.req.param("jobId") ?? "";
      const before = jobOrNotFound(jobId);
      if (before.status !== "queued" && before.status !== "inProgress") {
        if (before.status === "canceled") return context.json(jobSummaryOf(before));
        throw foundryErrors.conflict("ComputeModules:JobAlreadyFinished", { jobId, status: before.status }, `The job is already ${before.status}.`);
      }
      const after = queue.cancel(jobId, "Canceled from the emulator's control plane.");
      if (!after) throw computeErrors.jobNotFound(jobId);
      if (after.status !== "canceled") {
        // A result arrived between the read and the cancel: the job finished on its own.
        throw foundryErrors.conflict("ComputeModules:JobAlreadyFinished", { jobId, status: after.status }, `The job is already ${after.status}.`);
      }
      return context.json(jobSummaryOf(after));
    },

    /** GET /jobs/:jobId/result: the module's bytes, unchanged, as a download. */
    result(context: ControlContext) {
      const job = jobOrNotFound(context.req.param("jobId") ?? "");
      if (job.result === null) throw computeErrors.jobNotFinished(job);
      const json = looksLikeJson(job.result);
      return context.body(new Uint8Array(job.result), 200, {
        "Content-Type": json ? "application/json" : "application/octet-stream",
        "Content-Disposition": `attachment; filename="job-${job.id}-result.${json ? "json" : "bin"}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      });
    },
  };
}

function looksLikeJson(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes.length > 1024 * 1024) return false;
  try {
    JSON.parse(bytes.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}
