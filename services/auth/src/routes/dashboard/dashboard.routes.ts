import { Hono } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { createDashboardHandlers } from "./dashboard.handlers";

/**
 * Mounted at the root: the dashboard at /_emulate/, its script and JSON data under
 * /_emulate/dashboard/, and token revocation by id (access: routeAccessTable).
 */
export function dashboardRoutes(dependencies: AuthDependencies) {
  const handlers = createDashboardHandlers(dependencies);
  return new Hono<ServiceBindings>()
    .get("/_emulate", handlers.redirectToPage)
    .get("/_emulate/", handlers.page)
    .get("/_emulate/dashboard/dashboard.js", handlers.script)
    .get("/_emulate/dashboard/data/overview", handlers.overview)
    .get("/_emulate/dashboard/data/jobs", handlers.jobs)
    .get("/_emulate/dashboard/data/jobs/:jobId", handlers.job)
    .get("/_emulate/dashboard/data/tokens", handlers.tokens)
    .post("/_emulate/foundry/tokens/:tokenId/revoke", handlers.revokeToken);
}
