import { FoundryError, foundryErrors } from "@foundry-emulator/http";
import type { JobRow } from "./job-status";

/**
 * Every error the compute routes answer, in Foundry's envelope. Names under `ComputeModules:` are
 * the runtime side (what a module container sees); `ModuleGroupMultiplexer:` the contour side.
 */
export const computeErrors = {
  moduleAuthTokenInvalid: () => foundryErrors.unauthorized("The Module-Auth-Token header is missing or does not match this runtime."),
  bodyTooLarge: (maxBytes: number) => foundryErrors.requestEntityTooLarge(maxBytes),

  // Runtime side.
  runtimeJobNotFound: (runtimeId: string, jobId: string) =>
    foundryErrors.notFound("ComputeModules:JobNotFound", { runtimeId, jobId }, "No job with this id was dispatched to this runtime."),
  jobNotDispatched: (jobId: string) =>
    foundryErrors.conflict("ComputeModules:JobNotDispatched", { jobId }, "The job has not been dispatched to a module yet; it cannot have a result."),
  resultAlreadyFinished: (job: JobRow) =>
    foundryErrors.conflict("ComputeModules:JobAlreadyFinished", { jobId: job.id, status: job.status }, `The job is already ${job.status}; its result cannot be posted again.`),

  // Contour side.
  deployedAppNotFound: (deployedAppRid: string, deployedAppBranch: string) =>
    foundryErrors.notFound("ModuleGroupMultiplexer:DeployedAppNotFound", { deployedAppRid, deployedAppBranch }, "No deployed app is bound on this branch."),
  deployedAppNotActive: (deployedAppRid: string, deployedAppBranch: string) =>
    foundryErrors.conflict("ModuleGroupMultiplexer:DeployedAppNotActive", { deployedAppRid, deployedAppBranch }, "The deployed app's binding on this branch is not active."),
  jobNotFound: (jobId: string) =>
    foundryErrors.notFound("ModuleGroupMultiplexer:JobNotFound", { jobId }, "No job with this id (finished jobs are removed after the retention period)."),
  jobAccessDenied: (jobId: string) =>
    foundryErrors.permissionDenied("Contour:InsufficientPermission", { jobId }, "Only the principal that submitted a job can see its status and result."),
  jobNotFinished: (job: JobRow) => foundryErrors.conflict("ModuleGroupMultiplexer:JobNotFinished", { jobId: job.id, status: job.status }, "The job has no result yet."),
  jobFailed: (job: JobRow) =>
    foundryErrors.conflict(
      "ModuleGroupMultiplexer:JobFailed",
      { jobId: job.id, failure: job.failureName, message: job.failureMessage },
      `The job failed: ${job.failureMessage ?? job.failureName ?? "unknown reason"}`,
    ),
  jobCanceled: (job: JobRow) =>
    foundryErrors.conflict("ModuleGroupMultiplexer:JobCanceled", { jobId: job.id, message: job.failureMessage }, `The job was canceled: ${job.failureMessage ?? ""}`.trim()),
  syncExecuteTimedOut: (jobId: string, timeoutMillis: number) =>
    new FoundryError(
      "TIMEOUT",
      "ModuleGroupMultiplexer:SyncExecuteTimedOut",
      { jobId, timeoutMillis },
      `No result within ${timeoutMillis} ms. A job a module had already taken keeps running; fetch its result with the job id.`,
    ),
};
