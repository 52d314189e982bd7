import { Hono } from "hono";
import { jobControlRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { createComputeControlHandlers } from "./control.handlers";

/** What the dashboard (or an operator) does to jobs, under /_emulate/foundry/compute-modules/jobs. */
export function computeControlRoutes(dependencies: ComputeDependencies) {
  const { mount } = dependencies;
  const handlers = createComputeControlHandlers(dependencies);
  const router = new Hono<ServiceBindings>();
  mount(router, routes.cancel, handlers.cancel);
  mount(router, routes.result, handlers.result);
  return router;
}
