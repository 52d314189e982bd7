import { Hono } from "hono";
import { runtimeRoutes as routes } from "@foundry-emulator/contract";
import type { ComputeDependencies } from "../../dependencies";
import type { RuntimeBindings } from "./module-authentication";
import { createRuntimeHandlers } from "./runtime.handlers";

/** What a module container calls, under /_emulate/foundry/compute-modules/runtimes (the Module-Auth-Token guard comes with each declaration). */
export function runtimeRoutes(dependencies: ComputeDependencies) {
  const { mount } = dependencies;
  const handlers = createRuntimeHandlers(dependencies);
  const router = new Hono<RuntimeBindings>();
  mount(router, routes.openSession, handlers.openSession);
  mount(router, routes.getJob, handlers.getJob);
  mount(router, routes.postSchemas, handlers.postSchemas);
  mount(router, routes.postResult, handlers.postResult);
  mount(router, routes.restart, handlers.restart);
  return router;
}
