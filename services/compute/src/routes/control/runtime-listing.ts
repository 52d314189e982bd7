import { and, asc, count, eq } from "drizzle-orm";
import type { DeployedAppSummary, RuntimeSummary } from "@foundry-emulator/contract";
import { deployedApps, functionSchemas, jobs, runtimes, type FoundryDatabase } from "@foundry-emulator/db";
import { derivedModuleAuthToken } from "@foundry-emulator/tokens";

/** Runtimes and bindings are few by nature; still bounded, so a runaway seed cannot stall a page. */
const listLimit = 500;
const schemaListLimit = 5000;

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/**
 * Each runtime with what the dashboard shows of it: whether a module is polling it, the schemas it
 * posted, its queued and running jobs. `connectedWithinMs`: a poll that recent means connected.
 */
export function listRuntimes(database: FoundryDatabase, now: number, connectedWithinMs: number): RuntimeSummary[] {
  // Not the token's digest: nothing here needs it.
  const rows = database
    .select({
      id: runtimes.id,
      displayName: runtimes.displayName,
      moduleAuthTokenGenerated: runtimes.moduleAuthTokenGenerated,
      maxConcurrentTasks: runtimes.maxConcurrentTasks,
      origin: runtimes.origin,
      createdAt: runtimes.createdAt,
      lastPollAt: runtimes.lastPollAt,
    })
    .from(runtimes)
    .orderBy(asc(runtimes.id))
    .limit(listLimit)
    .all();
  const schemasByRuntime = new Map<string, string[]>();
  const schemaRows = database
    .select({ runtimeId: functionSchemas.runtimeId, functionName: functionSchemas.functionName })
    .from(functionSchemas)
    .orderBy(asc(functionSchemas.runtimeId), asc(functionSchemas.functionName))
    .limit(schemaListLimit)
    .all();
  for (const { runtimeId, functionName } of schemaRows) schemasByRuntime.set(runtimeId, [...(schemasByRuntime.get(runtimeId) ?? []), functionName]);
  // One lookup on the (runtime_id, status, sequence) index per runtime and status: counting the
  // active jobs never reads the finished ones, however many there are.
  const activeOf = (runtimeId: string, status: "queued" | "inProgress") =>
    database
      .select({ n: count() })
      .from(jobs)
      .where(and(eq(jobs.runtimeId, runtimeId), eq(jobs.status, status)))
      .get()!.n;
  return rows.map((row) => ({
    runtimeId: row.id,
    displayName: row.displayName,
    generatedModuleAuthToken: row.moduleAuthTokenGenerated ? derivedModuleAuthToken(database, row.id) : null,
    maxConcurrentTasks: row.maxConcurrentTasks,
    origin: row.origin,
    createdAt: new Date(row.createdAt).toISOString(),
    lastPollAt: iso(row.lastPollAt),
    connected: row.lastPollAt !== null && now - row.lastPollAt <= connectedWithinMs,
    schemas: schemasByRuntime.get(row.id) ?? [],
    queued: activeOf(row.id, "queued"),
    inProgress: activeOf(row.id, "inProgress"),
  }));
}

/** Which runtime serves each deployed app's branch. */
export function listDeployedApps(database: FoundryDatabase): DeployedAppSummary[] {
  return database
    .select()
    .from(deployedApps)
    .orderBy(asc(deployedApps.rid), asc(deployedApps.branch))
    .limit(listLimit)
    .all()
    .map((row) => ({
      rid: row.rid,
      branch: row.branch,
      runtimeId: row.runtimeId,
      displayName: row.displayName,
      active: row.active,
      origin: row.origin,
      createdAt: new Date(row.createdAt).toISOString(),
    }));
}
