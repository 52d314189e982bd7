import type { Platform } from "@foundry-emulator/bootstrap";
import { allowBrowserApps, createServiceApp, enforceRouteAccess, requestObservabilityOf, routeAccessTable } from "@foundry-emulator/http";
import { tlsMaterialFor } from "@foundry-emulator/tls";
import type { ComputeDependencies } from "./dependencies";
import { createJobQueue } from "./queue/job-queue";
import { Sweeper } from "./queue/sweeper";
import { WakeUps } from "./queue/wake-ups";
import { contourRoutes, moduleGroupMultiplexerPath } from "./routes/contour/contour.routes";
import { computeControlRoutes } from "./routes/control/control.routes";
import { runtimeRoutes } from "./routes/runtime/runtime.routes";
import { computeSettingsFrom } from "./settings";

/** The compute service: runtime sessions for module containers, and the contour job routes. */
export function createComputeApp(platform: Platform) {
  const app = createServiceApp({ service: "compute", ...requestObservabilityOf(platform) });
  app.get("/_emulate/health", (context) => context.json({ status: "ok", service: "compute" }));
  // Browser apps call the multiplexer from their own origin (preflighted: Authorization, PUT, DELETE).
  app.use("/contour-backend-multiplexer/*", allowBrowserApps());
  // A body refused with 413 was not read to its end: close the connection rather than leave the
  // rest of the upload in a socket a client would reuse.
  app.use(async (context, next) => {
    await next();
    if (context.res.status === 413) context.res.headers.set("Connection", "close");
  });
  // The shared route-access table: POST .../runtimes needs FOUNDRY_ADMIN_TOKEN when one is set;
  // every contour route needs a valid token.
  app.use(enforceRouteAccess(routeAccessTable, { verifier: platform.tokenVerifier, adminToken: platform.environment.FOUNDRY_ADMIN_TOKEN }));

  const settings = computeSettingsFrom(platform.environment);
  const client = platform.database.$client;
  const wakeUps = new WakeUps(client);
  const queue = createJobQueue({ database: platform.database, now: platform.now, settings, wakeUps });
  const sweeper = new Sweeper(queue, client, platform.now, settings);
  const { FOUNDRY_TLS_PORT } = platform.environment;
  const tls = FOUNDRY_TLS_PORT !== undefined ? tlsMaterialFor(platform.database, platform.environment) : undefined;
  const dependencies: ComputeDependencies = { platform, settings, queue, wakeUps, sweeper, tls };

  app.route("/_emulate/foundry/compute-modules", runtimeRoutes(dependencies));
  app.route("/_emulate/foundry/compute-modules", computeControlRoutes(dependencies));
  app.route(moduleGroupMultiplexerPath, contourRoutes(dependencies));
  return app;
}
