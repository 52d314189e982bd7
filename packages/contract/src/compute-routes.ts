import { simpleRoute } from "./route-spec";

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

/** What an operator or the dashboard does to jobs (the compute service). */
export const jobControlRoutes = {
  cancel: simpleRoute(
    "POST",
    `${computeModulesPath}/jobs/:jobId/cancel`,
    admin,
    "Cancel a job",
    "The job's summary, canceled (again 200 when already canceled; 409 `ComputeModules:JobAlreadyFinished` once it succeeded or failed).",
  ),
  result: simpleRoute("GET", `${computeModulesPath}/jobs/:jobId/result`, { kind: "admin-read" }, "A job's result", "The result the module posted, as it posted it."),
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
