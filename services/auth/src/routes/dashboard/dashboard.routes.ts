import { Hono } from "hono";
import { controlPlaneRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { createDashboardHandlers } from "./dashboard.handlers";

/** The dashboard at /_emulate/ and its script; its data are each service's own list routes. */
export function dashboardRoutes(dependencies: AuthDependencies) {
  const { mount } = dependencies;
  const handlers = createDashboardHandlers(dependencies);
  const router = new Hono<ServiceBindings>();
  mount(router, routes.dashboardRedirect, handlers.redirectToPage);
  mount(router, routes.dashboardPage, handlers.page);
  mount(router, routes.dashboardScript, handlers.script);
  return router;
}
