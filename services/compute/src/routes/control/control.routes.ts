import { Hono } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { createComputeControlHandlers } from "./control.handlers";

/**
 * Mounted at /_emulate/foundry/compute-modules: what the dashboard (or an operator) does to jobs.
 * Access: routeAccessTable (cancel needs FOUNDRY_ADMIN_TOKEN when set; so does the result, a read).
 */
export function computeControlRoutes(dependencies: ComputeDependencies) {
  const handlers = createComputeControlHandlers(dependencies);
  return new Hono<ServiceBindings>().post("/jobs/:jobId/cancel", handlers.cancel).get("/jobs/:jobId/result", handlers.result);
}
