import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { requireBearerToken, type ServiceBindings } from "@foundry-emulator/http";
import type { TokenVerifier } from "@foundry-emulator/tokens";
import type { ComputeDependencies } from "../../dependencies";
import { createContourHandlers } from "./contour.handlers";

export const moduleGroupMultiplexerPath = "/contour-backend-multiplexer/api/module-group-multiplexer";

/** Mounted at /contour-backend-multiplexer/api/module-group-multiplexer; every route needs a bearer token. */
export function contourRoutes(dependencies: ComputeDependencies) {
  const handlers = createContourHandlers(dependencies);
  return new Hono<ServiceBindings>()
    .use("*", requireBearerTokenOnce(dependencies.platform.tokenVerifier))
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

/** A valid, unrevoked bearer token, unless the route-access table already verified one. */
function requireBearerTokenOnce(verifier: TokenVerifier) {
  const require = requireBearerToken(verifier);
  return createMiddleware<ServiceBindings>(async (context, next) => (context.get("verifiedToken") ? next() : require(context, next)));
}
