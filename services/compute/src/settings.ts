import type { Environment } from "@foundry-emulator/config";

/** The compute service's knobs, read once from the environment. */
export interface ComputeSettings {
  /** How long GET .../job holds a poll before answering 204. */
  pollWaitMs: number;
  /** How long a dispatched job may go without a result before it is re-queued (or failed). */
  leaseMs: number;
  /** Dispatches a job gets; a lease expiry on the last one fails it. */
  maxAttempts: number;
  /** How long a sync execute waits for the result. */
  syncExecuteTimeoutMs: number;
  /** How long finished jobs and their results are kept. */
  retentionMs: number;
  maxResultBytes: number;
  /** JSON bodies: schemas, job submissions, runtime sessions. */
  maxJsonBodyBytes: number;
  /** Lifetime of the access token handed to the module with each job. */
  jobTokenTtlSeconds: number;
}

export function computeSettingsFrom(environment: Environment): ComputeSettings {
  return {
    pollWaitMs: environment.FOUNDRY_JOB_POLL_WAIT_MS,
    leaseMs: environment.FOUNDRY_JOB_LEASE_MS,
    maxAttempts: environment.FOUNDRY_JOB_MAX_ATTEMPTS,
    syncExecuteTimeoutMs: environment.FOUNDRY_SYNC_EXECUTE_TIMEOUT_MS,
    retentionMs: environment.FOUNDRY_JOB_RETENTION_SECONDS * 1000,
    maxResultBytes: environment.FOUNDRY_MAX_RESULT_BYTES,
    maxJsonBodyBytes: environment.FOUNDRY_MAX_BODY_BYTES,
    // Short-lived: at most an hour, never longer than the emulator's access tokens.
    jobTokenTtlSeconds: Math.min(environment.FOUNDRY_ACCESS_TOKEN_TTL, 3600),
  };
}
