import { contourRoutes, jobControlRoutes, runtimeRoutes } from "./compute-routes";
import { controlPlaneRoutes } from "./control-plane-routes";
import { oauthRoutes, platformApiRoutes } from "./oauth-routes";
import type { RouteAccessEntry, RouteSpec } from "./route-spec";

export * from "./route-spec";
export * from "./oauth-routes";
export * from "./compute-routes";
export * from "./control-plane-routes";
export * from "./schemas/control-plane-schemas";
export * from "./openapi-document";

/**
 * Every route of the emulator, declared once (method, path, access rule, description). Each
 * service's routers mount these declarations; the access guards, the OpenAPI document of the
 * control plane and the route walk are derived from this list. Order matters where two patterns
 * could match one path: the first declared wins, as in the routers.
 */
export const routeContract: readonly RouteSpec[] = [
  ...Object.values(oauthRoutes),
  ...Object.values(platformApiRoutes),
  ...Object.values(runtimeRoutes),
  ...Object.values(contourRoutes),
  ...Object.values(controlPlaneRoutes),
  ...Object.values(jobControlRoutes),
];

/** What each route demands of its caller, as a table (for tools, tests and the docs). */
export const routeAccessTable: readonly RouteAccessEntry[] = routeContract.map(({ method, path, access }) => ({ method, path, access }));

/** The control plane: the routes under /_emulate, which the OpenAPI document describes. */
export const isControlPlanePath = (path: string) => path === "/_emulate" || path.startsWith("/_emulate/");
export const controlPlaneContract: readonly RouteSpec[] = routeContract.filter((spec) => isControlPlanePath(spec.path));
