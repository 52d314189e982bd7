import { Hono } from "hono";
import { contourRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { ComputeDependencies } from "../../dependencies";
import { createContourHandlers } from "./contour.handlers";

/** What applications call, under /contour-backend-multiplexer/api/module-group-multiplexer. */
export function contourRoutes(dependencies: ComputeDependencies) {
  const { mount } = dependencies;
  const handlers = createContourHandlers(dependencies);
  const router = new Hono<ServiceBindings>();
  mount(router, routes.executeOnComputeModule, handlers.execute);
  mount(router, routes.executeOnDeployedApp, handlers.execute);
  mount(router, routes.submitToDeployedApp, handlers.submitJob);
  mount(router, routes.deployedAppFunctionSchemas, handlers.deployedAppSchemas);
  mount(router, routes.computeModuleSchemas, handlers.computeModuleSchemas);
  // The literal v2 paths before the :jobId patterns they would also match.
  mount(router, routes.getJobStatusV2, handlers.getStatusV2);
  mount(router, routes.getJobResultV2, handlers.getResultV2);
  mount(router, routes.getJobStatus, handlers.getStatus);
  mount(router, routes.getJobResult, handlers.getResult);
  mount(router, routes.softCancel, handlers.cancel);
  mount(router, routes.cancel, handlers.cancel);
  mount(router, routes.cancelV2, handlers.cancelV2);
  return router;
}
