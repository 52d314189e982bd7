import type { Context } from "hono";
import { Hono } from "hono";
import { resetToSeed } from "@foundry-emulator/config";
import { controlPlaneRoutes as routes } from "@foundry-emulator/contract";
import { foundryErrors, limitRequestBody, respondWithFoundryError, type ServiceBindings } from "@foundry-emulator/http";
import { tlsMaterialFor } from "@foundry-emulator/tls";
import type { ControlPlaneDependencies } from "./control-plane-dependencies";
import { clearRequestsHandler, listRequestsHandler } from "./journal.handlers";
import { openApiHandler } from "./openapi.handlers";
import { applySeedHandler } from "./seed.handlers";
import { restoreHandler, snapshotHandler } from "./snapshot.handlers";

/**
 * The routes over the whole database (health, the CA, reset, seed, snapshot and restore, the
 * request journal, the OpenAPI document), written once and mounted by both services: whichever
 * the gateway sends a request to answers it the same way.
 */
export function wholeDatabaseRoutes(dependencies: ControlPlaneDependencies) {
  const { mount, platform, journal, service } = dependencies;
  const router = new Hono<ServiceBindings>();
  const maxBodyBytes = platform.environment.FOUNDRY_MAX_BODY_BYTES;
  // The restore route bounds its body itself (FOUNDRY_MAX_SNAPSHOT_BYTES); a seed is bounded here.
  const bodyLimit = limitRequestBody(maxBodyBytes, (context) => {
    context.header("Connection", "close");
    return respondWithFoundryError(context, foundryErrors.requestEntityTooLarge(maxBodyBytes));
  });
  mount(router, routes.health, (context: Context<ServiceBindings>) => context.json({ status: "ok", service }));
  mount(router, routes.certificateAuthority, (context: Context<ServiceBindings>) => {
    const { caCertificatePem } = tlsMaterialFor(platform.database, platform.environment);
    return context.body(caCertificatePem, 200, { "Content-Type": "application/x-pem-file" });
  });
  mount(router, routes.reset, (context: Context<ServiceBindings>) => {
    const summary = resetToSeed(platform.database, platform.seed, platform.now());
    return context.json({ status: "reset", seed: summary ?? null });
  });
  mount(router, routes.seed, bodyLimit, applySeedHandler(dependencies));
  mount(router, routes.snapshot, snapshotHandler(dependencies));
  mount(router, routes.restore, restoreHandler(dependencies));
  mount(router, routes.openApi, openApiHandler(dependencies));
  mount(router, routes.listRequests, listRequestsHandler(journal));
  mount(router, routes.clearRequests, clearRequestsHandler(journal));
  return router;
}

/** The declarations both services mount (the rest go to the one the gateway's prefix table names). */
export const wholeDatabaseRouteSpecs = [
  routes.health,
  routes.certificateAuthority,
  routes.reset,
  routes.seed,
  routes.snapshot,
  routes.restore,
  routes.openApi,
  routes.listRequests,
  routes.clearRequests,
];
