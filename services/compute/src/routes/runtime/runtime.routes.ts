import { Hono } from "hono";
import type { ComputeDependencies } from "../../dependencies";
import { requireModuleAuthToken, type RuntimeBindings } from "./module-authentication";
import { createRuntimeHandlers } from "./runtime.handlers";

/** Mounted at /_emulate/foundry/compute-modules. */
export function runtimeRoutes(dependencies: ComputeDependencies) {
  const handlers = createRuntimeHandlers(dependencies);
  const moduleAuthentication = requireModuleAuthToken(dependencies.platform.database);
  return new Hono<RuntimeBindings>()
    .post("/runtimes", handlers.openSession)
    .use("/runtimes/:runtimeId/*", moduleAuthentication)
    .get("/runtimes/:runtimeId/job", handlers.getJob)
    .post("/runtimes/:runtimeId/schemas", handlers.postSchemas)
    .post("/runtimes/:runtimeId/results/:jobId", handlers.postResult)
    .post("/runtimes/:runtimeId/restart", handlers.restart);
}
