import type { jobs } from "@foundry-emulator/db";
import { nameBasedUuid } from "@foundry-emulator/tokens";

export type JobRow = typeof jobs.$inferSelect;

/** Why a job failed or was canceled: the `errorType.name` of its UserFriendlyException. */
export const jobFailures = {
  /** The module posted an error object (`{"error": ...}` / `{"exception": ...}`) as its result. */
  moduleReportedError: "ComputeModules:ModuleReportedError",
  /** No result within the lease, on every attempt. */
  leaseExpired: "ComputeModules:JobLeaseExpired",
  /** The module told its runtime it restarted (RESTART_NOTIFICATION_URI) while running the job. */
  moduleRestarted: "ComputeModules:ModuleRestarted",
  /** The runtime session was reset (POST .../runtimes) while the job was running. */
  runtimeReset: "ComputeModules:RuntimeReset",
  /** Canceled: by the submitter, or because a sync caller went away before a module took it. */
  canceled: "ModuleGroupMultiplexer:JobCanceled",
} as const;

export interface UserFriendlyException {
  errorType: { code: string; name: string };
  errorInstanceId: string;
  message: string;
  safeMessage?: string;
  args: Array<{ type: "safe"; safe: { key: string; value: string } } | { type: "unsafe"; unsafe: { key: string; value: string } }>;
}

export type QueueInfo = "NORMAL_OPERATION" | "SCALING_UP" | "SCALING_UP_FROM_0" | "RESOURCE_LIMITS_REACHED" | "COMPASS_RESOURCE_LIMITS_REACHED" | "USER_THROTTLED";

export type JobStatus =
  | { type: "queued"; queued: { queueInfo: QueueInfo } }
  | { type: "inProgress"; inProgress: { completedTasks: number } }
  | { type: "succeeded"; succeeded: { intermediateJobInfoList: unknown[] } }
  | { type: "failed"; failed: { exception: UserFriendlyException } }
  | { type: "canceled"; canceled: { exception: UserFriendlyException } };

export interface Job {
  id: string;
  moduleId?: string;
  status: JobStatus;
}

/** The UserFriendlyException of a failed or canceled job; its instance id is stable per job. */
export function userFriendlyExceptionOf(job: Pick<JobRow, "id" | "status" | "failureName" | "failureMessage">): UserFriendlyException {
  const name = job.failureName ?? (job.status === "canceled" ? jobFailures.canceled : jobFailures.moduleReportedError);
  const message = job.failureMessage ?? (job.status === "canceled" ? "The job was canceled." : "The job failed.");
  return {
    errorType: { code: job.status === "canceled" ? "CUSTOM_CLIENT" : "CUSTOM_SERVER", name },
    errorInstanceId: nameBasedUuid("foundry-emulator/job-failure", `${job.id}\u0000${name}`),
    message,
    safeMessage: message,
    args: [{ type: "safe", safe: { key: "jobId", value: job.id } }],
  };
}

/**
 * The `JobStatus` union of the module-group multiplexer. A queued job whose runtime has never been
 * polled is `SCALING_UP_FROM_0` (no module is running yet), otherwise `NORMAL_OPERATION`.
 */
export function jobStatusOf(job: JobRow, options: { runtimeEverPolled: boolean }): JobStatus {
  switch (job.status) {
    case "queued":
      return { type: "queued", queued: { queueInfo: options.runtimeEverPolled ? "NORMAL_OPERATION" : "SCALING_UP_FROM_0" } };
    case "inProgress":
      return { type: "inProgress", inProgress: { completedTasks: 0 } };
    case "succeeded":
      return { type: "succeeded", succeeded: { intermediateJobInfoList: [] } };
    case "failed":
      return { type: "failed", failed: { exception: userFriendlyExceptionOf(job) } };
    case "canceled":
      return { type: "canceled", canceled: { exception: userFriendlyExceptionOf(job) } };
  }
}

export function jobOf(job: JobRow, options: { runtimeEverPolled: boolean }): Job {
  return { id: job.id, moduleId: job.runtimeId, status: jobStatusOf(job, options) };
}

/** What a module's GET .../job receives. */
export interface ComputeModuleJob {
  type: "computeModuleJobV1";
  computeModuleJobV1: {
    jobId: string;
    queryType: string;
    query: unknown;
    temporaryCredentialsAuthToken: string;
    authHeader: string;
    userId: string;
  };
}

export function computeModuleJobOf(job: JobRow, credentials: { temporaryCredentialsAuthToken: string; accessToken: string }): ComputeModuleJob {
  return {
    type: "computeModuleJobV1",
    computeModuleJobV1: {
      jobId: job.id,
      queryType: job.queryType,
      query: job.query,
      temporaryCredentialsAuthToken: credentials.temporaryCredentialsAuthToken,
      authHeader: `Bearer ${credentials.accessToken}`,
      userId: job.submittedBy,
    },
  };
}
