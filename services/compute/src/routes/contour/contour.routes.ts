import { Hono } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { createContourHandlers } from "./contour.handlers";

export const moduleGroupMultiplexerPath = "/contour-backend-multiplexer/api/module-group-multiplexer";

/** Mounted at /contour-backend-multiplexer/api/module-group-multiplexer; access: routeAccessTable (a valid bearer token). */
export function contourRoutes(dependencies: ComputeDependencies) {
  const handlers = createContourHandlers(dependencies);
  return new Hono<ServiceBindings>()
    .post("/compute-modules/jobs/execute", handlers.execute)
    .post("/deployed-apps/jobs/execute", handlers.execute)
    .post("/deployed-apps/jobs", handlers.submitJob)
    .get("/deployed-apps/:rid/:branch/function-schemas", handlers.deployedAppSchemas)
    .get("/schemas", handlers.computeModuleSchemas)
    .put("/jobs/status/v2", handlers.getStatusV2)
    .put("/jobs/result/v2", handlers.getResultV2)
    .get("/jobs/:jobId/status", handlers.getStatus)
    .get("/jobs/:jobId/result", handlers.getResult)
    .put("/jobs/:jobId/soft-cancel", handlers.cancel)
    .delete("/jobs/:jobId", handlers.cancel)
    .delete("/jobs", handlers.cancelV2);
}
