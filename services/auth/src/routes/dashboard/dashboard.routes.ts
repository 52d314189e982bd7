import { Hono } from "hono";
import { controlPlaneRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { createDashboardHandlers } from "./dashboard.handlers";

/** The dashboard at /_emulate/, its script and JSON data under /_emulate/dashboard/, and token revocation by id. */
export function dashboardRoutes(dependencies: AuthDependencies) {
  const { mount } = dependencies;
  const handlers = createDashboardHandlers(dependencies);
  const router = new Hono<ServiceBindings>();
  mount(router, routes.dashboardRedirect, handlers.redirectToPage);
  mount(router, routes.dashboardPage, handlers.page);
  mount(router, routes.dashboardScript, handlers.script);
  mount(router, routes.dashboardOverview, handlers.overview);
  mount(router, routes.dashboardJobs, handlers.jobs);
  mount(router, routes.dashboardJob, handlers.job);
  mount(router, routes.dashboardTokens, handlers.tokens);
  mount(router, routes.revokeAccessToken, handlers.revokeToken);
  return router;
}
