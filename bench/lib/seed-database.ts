import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { openDatabase } from "@foundry-emulator/db";
import { userIdFor } from "@foundry-emulator/config";

export interface BulkRows {
  /** Finished (succeeded) jobs, each with the access token minted for its dispatch. */
  finishedJobs?: number;
  /** Queued jobs for a runtime nobody polls in the benchmark ("other runtimes"). */
  queuedJobsForOtherRuntime?: number;
  /** When the finished jobs finished (ms); defaults to now, so the default retention keeps them. */
  finishedAt?: number;
  runtimeId?: string;
}

export const otherRuntimeId = "bench-other-runtime";

/**
 * Writes rows straight into a database file with better-sqlite3, in one transaction, after
 * migrating it with the emulator's own openDatabase (so the schema is the real one). Used to put
 * 100,000 finished jobs and tokens, or 100,000 queued jobs, in place before a process starts, or
 * into the live file of a running emulator (WAL: one more writer is fine).
 * Returns how long the writes took (ms).
 */
export function writeBulkRows(databasePath: string, rows: BulkRows): number {
  const started = performance.now();
  const database = openDatabase({ path: databasePath });
  const client = database.$client;
  const now = Date.now();
  const finishedAt = rows.finishedAt ?? now;
  const submittedBy = userIdFor("alice");
  const insertToken = client.prepare(
    `INSERT INTO access_tokens (id, kind, grant_id, principal_id, client_id, scopes, origin, issued_at, expires_at)
     VALUES (?, 'oauth', NULL, ?, 'confidential-app', '["api:read-data"]', 'runtime', ?, ?)`,
  );
  const insertJob = client.prepare(
    `INSERT INTO jobs (id, runtime_id, deployed_app_rid, deployed_app_branch, query_type, query, submitted_by, submitted_scopes,
       submitted_client_id, status, attempts, lease_expires_at, created_at, dispatched_at, dispatch_token_id, finished_at, result)
     VALUES (?, ?, 'ri.foundry.main.deployed-app.agent-loop', 'master', 'add', '{"x":1,"y":2}', ?, '["api:read-data"]',
       'confidential-app', ?, ?, NULL, ?, ?, ?, ?, ?)`,
  );
  const result = Buffer.from("3");
  client
    .transaction(() => {
      for (let index = 0; index < (rows.finishedJobs ?? 0); index += 1) {
        const tokenId = randomUUID();
        insertToken.run(tokenId, submittedBy, finishedAt - 5, finishedAt + 3_600_000);
        insertJob.run(randomUUID(), rows.runtimeId ?? "agent-loop", submittedBy, "succeeded", 1, finishedAt - 10, finishedAt - 5, tokenId, finishedAt, result);
      }
      for (let index = 0; index < (rows.queuedJobsForOtherRuntime ?? 0); index += 1) {
        insertJob.run(randomUUID(), otherRuntimeId, submittedBy, "queued", 0, now, null, null, null, null);
      }
    })
    .immediate();
  client.pragma("wal_checkpoint(TRUNCATE)");
  client.close();
  return performance.now() - started;
}

/** Counts rows with a read-only connection (the emulator keeps its own). */
export function countRows(databasePath: string): { jobs: number; accessTokens: number } {
  const client = new Database(databasePath, { readonly: true, fileMustExist: true });
  const jobs = (client.prepare("SELECT count(*) AS n FROM jobs").get() as { n: number }).n;
  const accessTokens = (client.prepare("SELECT count(*) AS n FROM access_tokens").get() as { n: number }).n;
  client.close();
  return { jobs, accessTokens };
}
