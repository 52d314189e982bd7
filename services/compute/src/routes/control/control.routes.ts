import { Hono } from "hono";
import { jobControlRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { createComputeControlHandlers } from "./control.handlers";
import { createComputeListingHandlers } from "./listing.handlers";

/**
 * What the dashboard (or an operator) reads of runtimes, bindings and jobs and does to jobs, under
 * /_emulate/foundry/compute-modules/, and the dashboard's earlier job URLs.
 */
export function computeControlRoutes(dependencies: ComputeDependencies) {
  const { mount } = dependencies;
  const handlers = createComputeControlHandlers(dependencies);
  const listing = createComputeListingHandlers(dependencies);
  const router = new Hono<ServiceBindings>();
  mount(router, routes.listJobs, listing.listJobs);
  mount(router, routes.getJob, listing.getJob);
  mount(router, routes.listRuntimes, listing.listRuntimes);
  mount(router, routes.listDeployedApps, listing.listDeployedApps);
  mount(router, routes.dashboardJobs, listing.listJobs);
  mount(router, routes.dashboardJob, listing.getJob);
  mount(router, routes.cancel, handlers.cancel);
  mount(router, routes.result, handlers.result);
  return router;
}
