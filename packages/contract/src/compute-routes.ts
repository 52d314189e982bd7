import { z } from "zod";
import { route, simpleRoute } from "./route-spec";

export const computeModulesPath = "/_emulate/foundry/compute-modules";
export const runtimesPath = `${computeModulesPath}/runtimes`;
export const moduleGroupMultiplexerPath = "/contour-backend-multiplexer/api/module-group-multiplexer";

const moduleToken = { kind: "module-token" } as const;
const contourAccess = {
  kind: "token",
  reason: "the platform gates contour routes by application permission (deployed-apps:submit/view), not by an API scope",
} as const;
const admin = { kind: "admin" } as const;
const adminNote = "Needs `Authorization: Bearer <FOUNDRY_ADMIN_TOKEN>` when the emulator has one.";

/** What a compute-module container calls (the compute service). */
export const runtimeRoutes = {
  openSession: {
    ...simpleRoute("POST", runtimesPath, admin, "Open a runtime session", "An existing session, reset: runtime id, Module-Auth-Token and endpoints."),
    description: `Creates (or resets) the session a compute-module container polls; the answer is the module's complete environment. The body's \`maxConcurrentTasks\` (default 1) is handed out as MAX_CONCURRENT_TASKS and enforced: the runtime is never given more jobs in flight at once. ${adminNote}`,
    responses: {
      200: { description: "An existing session, reset: runtime id, Module-Auth-Token and endpoints." },
      201: { description: "A new session: runtime id, Module-Auth-Token and endpoints." },
    },
  },
  getJob: simpleRoute(
    "GET",
    `${runtimesPath}/:runtimeId/job`,
    moduleToken,
    "Long-poll for the next job",
    "The next job, once one is queued and the runtime runs fewer jobs than its max concurrent tasks; 204 when none could be handed out within FOUNDRY_JOB_POLL_WAIT_MS.",
  ),
  postSchemas: simpleRoute("POST", `${runtimesPath}/:runtimeId/schemas`, moduleToken, "Post the module's function schemas", "Stored (replacing the previous ones)."),
  postResult: simpleRoute("POST", `${runtimesPath}/:runtimeId/results/:jobId`, moduleToken, "Post a job's result", "Stored; the job is finished."),
  restart: simpleRoute(
    "POST",
    `${runtimesPath}/:runtimeId/restart`,
    moduleToken,
    "Report a module restart",
    "The jobs the module was running are failed (`ComputeModules:ModuleRestarted`), freeing their slots; answers their ids.",
  ),
};

const adminRead = { kind: "admin-read" } as const;
const json = (schema: z.ZodType) => ({ "application/json": schema });

// What the control plane shows of runtimes, bindings and jobs: the compute service's own tables.
// Never a job's query or result beyond a preview, never a stored token.
const jobStatusSchema = z.enum(["queued", "inProgress", "succeeded", "failed", "canceled"]);
const originSchema = z.enum(["seed", "runtime"]);

/** The filters of a job list; `cursor` is the `nextCursor` of the previous page (older jobs follow). */
export const jobListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, "the nextCursor of a previous page")
    .optional(),
  status: jobStatusSchema.optional(),
  runtime: z.string().min(1).max(200).optional(),
  jobId: z.string().min(1).max(200).optional(),
});

export const jobSummarySchema = z.object({
  jobId: z.string(),
  sequence: z.number().int(),
  runtimeId: z.string(),
  deployedAppRid: z.string().nullable(),
  deployedAppBranch: z.string().nullable(),
  queryType: z.string(),
  status: jobStatusSchema,
  attempts: z.number().int(),
  /** The principal's id only: its username is the auth service's to tell (GET /_emulate/foundry/principals). */
  submittedBy: z.object({ id: z.string() }),
  submittedClientId: z.string().nullable(),
  createdAt: z.string(),
  dispatchedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Queued → taken by a module. */
  waitMs: z.number().nullable(),
  /** Taken → finished. */
  runMs: z.number().nullable(),
  totalMs: z.number().nullable(),
  failureName: z.string().nullable(),
  /** The first 500 characters. */
  failureMessage: z.string().nullable(),
  resultBytes: z.number().int().nullable(),
});

export const jobPageSchema = z.object({
  data: z.array(jobSummarySchema),
  nextCursor: z.string().nullable(),
  counts: z.object({ total: z.number().int(), queued: z.number().int(), inProgress: z.number().int(), finished: z.number().int() }),
});

export const jobDetailSchema = jobSummarySchema.extend({
  /** The first 4,000 characters. */
  failureMessage: z.string().nullable(),
  /** The query's JSON text, its first 8 KiB. */
  query: z.string(),
  queryTruncated: z.boolean(),
  /** The first 4 KiB of the result: text, or base64 when it is not UTF-8. */
  result: z.object({ bytes: z.number().int(), encoding: z.enum(["utf8", "base64"]), preview: z.string(), truncated: z.boolean() }).nullable(),
});

export const runtimeSummarySchema = z.object({
  runtimeId: z.string(),
  displayName: z.string().nullable(),
  /** A token the seed left out is derived, not stored, so it can be shown; other tokens are known only as digests (null). */
  generatedModuleAuthToken: z.string().nullable(),
  maxConcurrentTasks: z.number().int(),
  origin: originSchema,
  createdAt: z.string(),
  lastPollAt: z.string().nullable(),
  /** A module polled within the poll wait (plus a margin). */
  connected: z.boolean(),
  /** The function names the module posted. */
  schemas: z.array(z.string()),
  queued: z.number().int(),
  inProgress: z.number().int(),
});

export const deployedAppSummarySchema = z.object({
  rid: z.string(),
  branch: z.string(),
  runtimeId: z.string(),
  displayName: z.string().nullable(),
  active: z.boolean(),
  origin: originSchema,
  createdAt: z.string(),
});

export type JobListQuery = z.infer<typeof jobListQuerySchema>;
export type JobSummary = z.infer<typeof jobSummarySchema>;
export type JobPage = z.infer<typeof jobPageSchema>;
export type JobDetail = z.infer<typeof jobDetailSchema>;
export type RuntimeSummary = z.infer<typeof runtimeSummarySchema>;
export type DeployedAppSummary = z.infer<typeof deployedAppSummarySchema>;

const jobListDescription =
  "Newest first, a page at a time along an index (as fast with 100,000 jobs as with 100). Query: `status` (queued, inProgress, succeeded, failed, canceled), `runtime`, `jobId` (exact), `limit` (1-500, default 50), `cursor` (the previous page's `nextCursor`). `counts` are of all jobs. Never the query or the result.";
const jobDetailDescription = "With its query and the beginning of its result (a few kilobytes at most; `…/result` downloads it whole).";
const jobNotFound = { status: 404, errorName: "ComputeModules:JobNotFound", description: "No job with this id (finished jobs are removed after FOUNDRY_JOB_RETENTION_SECONDS)." };

/** What an operator or the dashboard reads of runtimes, bindings and jobs, and does to jobs (the compute service). */
export const jobControlRoutes = {
  listJobs: route({
    method: "GET",
    path: `${computeModulesPath}/jobs`,
    access: adminRead,
    summary: "List jobs",
    description: jobListDescription,
    responses: { 200: { description: "A page of jobs.", content: json(jobPageSchema) } },
    errors: [{ status: 400, errorName: "Conjure:InvalidArgument", description: "A query parameter is invalid; `parameters.problems` names it." }],
  }),
  getJob: route({
    method: "GET",
    path: `${computeModulesPath}/jobs/:jobId`,
    access: adminRead,
    summary: "One job",
    description: jobDetailDescription,
    responses: { 200: { description: "The job.", content: json(jobDetailSchema) } },
    errors: [jobNotFound],
  }),
  listRuntimes: route({
    method: "GET",
    path: runtimesPath,
    access: adminRead,
    summary: "List runtime sessions",
    description: "Each runtime with whether a module is polling it, the schemas it posted, its queued and running jobs and its task limit. Never a stored token.",
    responses: { 200: { description: "The runtimes (at most 500).", content: json(z.object({ data: z.array(runtimeSummarySchema) })) } },
  }),
  listDeployedApps: route({
    method: "GET",
    path: `${computeModulesPath}/deployed-apps`,
    access: adminRead,
    summary: "List deployed-app bindings",
    description: "Which runtime serves each deployed app's branch.",
    responses: { 200: { description: "The bindings (at most 500).", content: json(z.object({ data: z.array(deployedAppSummarySchema) })) } },
  }),
  // The dashboard's earlier URLs, kept: the gateway sends /_emulate/dashboard/data/jobs to compute.
  dashboardJobs: route({
    method: "GET",
    path: "/_emulate/dashboard/data/jobs",
    access: adminRead,
    tag: "dashboard",
    summary: "Dashboard: jobs (alias)",
    description: `The same as GET ${computeModulesPath}/jobs. ${jobListDescription}`,
    responses: { 200: { description: "A page of jobs.", content: json(jobPageSchema) } },
    errors: [{ status: 400, errorName: "Conjure:InvalidArgument", description: "A query parameter is invalid; `parameters.problems` names it." }],
  }),
  dashboardJob: route({
    method: "GET",
    path: "/_emulate/dashboard/data/jobs/:jobId",
    access: adminRead,
    tag: "dashboard",
    summary: "Dashboard: one job (alias)",
    description: `The same as GET ${computeModulesPath}/jobs/{jobId}. ${jobDetailDescription}`,
    responses: { 200: { description: "The job.", content: json(jobDetailSchema) } },
    errors: [jobNotFound],
  }),
  cancel: simpleRoute(
    "POST",
    `${computeModulesPath}/jobs/:jobId/cancel`,
    admin,
    "Cancel a job",
    "The job's summary, canceled (again 200 when already canceled; 409 `ComputeModules:JobAlreadyFinished` once it succeeded or failed).",
  ),
  result: simpleRoute("GET", `${computeModulesPath}/jobs/:jobId/result`, adminRead, "A job's result", "The result the module posted, as it posted it."),
};

const contour = (method: "GET" | "POST" | "PUT" | "DELETE", path: string, summary: string, response: string) =>
  simpleRoute(method, `${moduleGroupMultiplexerPath}${path}`, contourAccess, summary, response);

/** What applications call to run jobs (the compute service). */
export const contourRoutes = {
  executeOnComputeModule: contour("POST", "/compute-modules/jobs/execute", "Run a job and wait (sync)", "The module's bytes."),
  executeOnDeployedApp: contour("POST", "/deployed-apps/jobs/execute", "Run a job on a deployed app and wait (sync)", "The module's bytes."),
  submitToDeployedApp: contour("POST", "/deployed-apps/jobs", "Submit a job (async)", "The `Job`."),
  deployedAppFunctionSchemas: contour("GET", "/deployed-apps/:rid/:branch/function-schemas", "A deployed app's function schemas", "`QueryRunnerSchema[]`."),
  computeModuleSchemas: contour("GET", "/schemas", "A compute module's schemas", "`QueryRunnerSchema[]`."),
  getJobStatus: contour("GET", "/jobs/:jobId/status", "A job's status", "The `JobStatus`."),
  getJobStatusV2: contour("PUT", "/jobs/status/v2", "A job's status (v2)", "The `JobStatus`."),
  getJobResult: contour("GET", "/jobs/:jobId/result", "A job's result", "The module's bytes."),
  getJobResultV2: contour("PUT", "/jobs/result/v2", "A job's result (v2)", "The module's bytes."),
  softCancel: contour("PUT", "/jobs/:jobId/soft-cancel", "Cancel a job (soft)", "Canceled."),
  cancel: contour("DELETE", "/jobs/:jobId", "Cancel a job", "Canceled."),
  cancelV2: contour("DELETE", "/jobs", "Cancel a job (v2)", "Canceled."),
};
