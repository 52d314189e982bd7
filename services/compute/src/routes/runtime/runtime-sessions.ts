import { eq } from "drizzle-orm";
import { deployedApps, immediateTransaction, runtimes } from "@foundry-emulator/db";
import { hashSecret, randomSecret } from "@foundry-emulator/tokens";
import type { ComputeDependencies } from "../../dependencies";
import { runtimeKey } from "../../queue/wake-ups";
import { jobFailures } from "../../wire/job-status";

export interface RuntimeSessionRequest {
  runtimeId: string;
  displayName?: string | undefined;
  deployedAppRid?: string | undefined;
  branch: string;
  /** The MAX_CONCURRENT_TASKS handed to the module: dispatch never lets it run more jobs at once. */
  maxConcurrentTasks: number;
}

export interface RuntimeSession {
  runtimeId: string;
  displayName: string;
  created: boolean;
  moduleAuthToken: string;
  deployedAppRid: string | null;
  branch: string | null;
  /** Jobs the runtime was running when it was reset: failed with `ComputeModules:RuntimeReset`. */
  failedJobIds: string[];
}

/**
 * Creates a runtime session, or resets an existing one: a fresh module token (only its hash is
 * kept; the old token stops working at once, even for polls already waiting), the declared task
 * limit (handed to the module as MAX_CONCURRENT_TASKS, so that is what dispatch enforces), the jobs
 * it was running failed with a reason (queued jobs stay queued for the next module), and, when a
 * deployed app is named, its branch bound to this runtime. One IMMEDIATE transaction.
 */
export function openRuntimeSession({ platform, queue, wakeUps }: ComputeDependencies, request: RuntimeSessionRequest): RuntimeSession {
  const { database, now } = platform;
  const moduleAuthToken = randomSecret();
  const session = immediateTransaction(database, () => {
    const at = now();
    const existing = database.select().from(runtimes).where(eq(runtimes.id, request.runtimeId)).get();
    const displayName = request.displayName ?? existing?.displayName ?? request.runtimeId;
    database
      .insert(runtimes)
      .values({
        id: request.runtimeId,
        displayName,
        moduleAuthTokenHash: hashSecret(moduleAuthToken),
        maxConcurrentTasks: request.maxConcurrentTasks,
        origin: "runtime",
        createdAt: at,
      })
      .onConflictDoUpdate({
        target: runtimes.id,
        set: { displayName, moduleAuthTokenHash: hashSecret(moduleAuthToken), maxConcurrentTasks: request.maxConcurrentTasks },
      })
      .run();
    const failed = existing
      ? queue.failInFlight(request.runtimeId, jobFailures.runtimeReset, `The runtime session '${request.runtimeId}' was reset while the job was running.`)
      : [];
    if (request.deployedAppRid) {
      database
        .insert(deployedApps)
        .values({ rid: request.deployedAppRid, branch: request.branch, runtimeId: request.runtimeId, active: true, origin: "runtime", createdAt: at })
        .onConflictDoUpdate({ target: [deployedApps.rid, deployedApps.branch], set: { runtimeId: request.runtimeId, active: true } })
        .run();
    }
    return {
      runtimeId: request.runtimeId,
      displayName,
      created: !existing,
      moduleAuthToken,
      deployedAppRid: request.deployedAppRid ?? null,
      branch: request.deployedAppRid ? request.branch : null,
      failedJobIds: failed.map((job) => job.id),
    };
  });
  // Polls holding the old token wake up, see the session ended, and answer 401.
  wakeUps.notify(runtimeKey(request.runtimeId));
  return session;
}
