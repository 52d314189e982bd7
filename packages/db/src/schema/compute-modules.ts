import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A runtime session that a compute-module container polls for jobs. */
export const runtimes = sqliteTable("runtimes", {
  id: text("id").primaryKey(),
  displayName: text("display_name"),
  moduleAuthTokenHash: text("module_auth_token_hash").notNull(),
  // True when the seed gave no token: the token is then derived from the database's own secret
  // (packages/config's derived-secrets), so it can be shown again without being stored.
  moduleAuthTokenGenerated: integer("module_auth_token_generated", { mode: "boolean" }).notNull().default(false),
  // The MAX_CONCURRENT_TASKS the module was handed: never more jobs in flight for this runtime.
  maxConcurrentTasks: integer("max_concurrent_tasks").notNull().default(1),
  origin: text("origin", { enum: ["seed", "runtime"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  lastPollAt: integer("last_poll_at"),
});

/** Which runtime serves a deployed app's branch. */
export const deployedApps = sqliteTable(
  "deployed_apps",
  {
    rid: text("rid").notNull(),
    branch: text("branch").notNull(),
    runtimeId: text("runtime_id").notNull(),
    displayName: text("display_name"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    origin: text("origin", { enum: ["seed", "runtime"] }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.rid, table.branch] })],
);

export const functionSchemas = sqliteTable(
  "function_schemas",
  {
    runtimeId: text("runtime_id").notNull(),
    functionName: text("function_name").notNull(),
    specification: text("specification", { mode: "json" }).$type<unknown>().notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.runtimeId, table.functionName] })],
);

export const jobs = sqliteTable(
  "jobs",
  {
    // Monotonic order of submission; the queue is FIFO per runtime.
    sequence: integer("sequence").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    runtimeId: text("runtime_id").notNull(),
    deployedAppRid: text("deployed_app_rid"),
    deployedAppBranch: text("deployed_app_branch"),
    queryType: text("query_type").notNull(),
    query: text("query", { mode: "json" }).$type<unknown>().notNull(),
    submittedBy: text("submitted_by").notNull(),
    // The submitting token's scopes and client: the token handed to the module carries the same.
    submittedScopes: text("submitted_scopes", { mode: "json" }).$type<string[]>().notNull().default([]),
    submittedClientId: text("submitted_client_id"),
    status: text("status", { enum: ["queued", "inProgress", "succeeded", "failed", "canceled"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    leaseExpiresAt: integer("lease_expires_at"),
    createdAt: integer("created_at").notNull(),
    dispatchedAt: integer("dispatched_at"),
    // The access token minted for the latest dispatch (its row is removed with the job).
    dispatchTokenId: text("dispatch_token_id"),
    finishedAt: integer("finished_at"),
    result: blob("result", { mode: "buffer" }),
    failureName: text("failure_name"),
    failureMessage: text("failure_message"),
  },
  (table) => [
    index("jobs_runtime_status_sequence").on(table.runtimeId, table.status, table.sequence),
    index("jobs_status_lease").on(table.status, table.leaseExpiresAt),
    // The dashboard's job list filtered by status, newest first (keyset on sequence).
    index("jobs_status_sequence").on(table.status, table.sequence),
    index("jobs_finished").on(table.finishedAt),
  ],
);
