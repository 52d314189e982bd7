import type { Platform } from "@foundry-emulator/bootstrap";
import { redirectUrisOf } from "@foundry-emulator/config";
import { wholeDatabaseRoutes } from "@foundry-emulator/control-plane";
import { allowBrowserApps, corsOriginAllowance, createRouteMounter, createServiceApp, requestObservabilityOf } from "@foundry-emulator/http";
import { tlsMaterialFor } from "@foundry-emulator/tls";
import type { ComputeDependencies } from "./dependencies";
import { createJobQueue } from "./queue/job-queue";
import { Sweeper } from "./queue/sweeper";
import { WakeUps } from "./queue/wake-ups";
import { contourRoutes } from "./routes/contour/contour.routes";
import { computeControlRoutes } from "./routes/control/control.routes";
import { requireModuleAuthToken } from "./routes/runtime/module-authentication";
import { runtimeRoutes } from "./routes/runtime/runtime.routes";
import { computeSettingsFrom } from "./settings";

/** The compute service: runtime sessions for module containers, and the contour job routes. */
export function createComputeApp(platform: Platform) {
  const observability = requestObservabilityOf(platform);
  const app = createServiceApp({ service: "compute", ...observability, protection: platform.environment });
  // Browser apps call the multiplexer from their own origin (preflighted: Authorization, PUT, DELETE).
  app.use("/contour-backend-multiplexer/*", allowBrowserApps(corsOriginAllowance(platform.environment, redirectUrisOf(platform.seed))));
  // A body refused with 413 was not read to its end: close the connection rather than leave the
  // rest of the upload in a socket a client would reuse.
  app.use(async (context, next) => {
    await next();
    if (context.res.status === 413) context.res.headers.set("Connection", "close");
  });
  // Each declared route comes with its guard: a valid token for the contour routes, the runtime's
  // Module-Auth-Token for what a module calls, FOUNDRY_ADMIN_TOKEN (when set) for the rest.
  const mount = createRouteMounter({
    verifier: platform.tokenVerifier,
    adminToken: platform.environment.FOUNDRY_ADMIN_TOKEN,
    publicUrl: platform.environment.FOUNDRY_PUBLIC_URL,
    moduleToken: requireModuleAuthToken(platform.database),
  });

  const settings = computeSettingsFrom(platform.environment);
  const client = platform.database.$client;
  const wakeUps = new WakeUps(client);
  const queue = createJobQueue({ database: platform.database, now: platform.now, settings, wakeUps });
  const sweeper = new Sweeper(queue, client, platform.now, settings);
  const { FOUNDRY_TLS_PORT } = platform.environment;
  const tls = FOUNDRY_TLS_PORT !== undefined ? tlsMaterialFor(platform.database, platform.environment) : undefined;
  const dependencies: ComputeDependencies = { platform, settings, queue, wakeUps, sweeper, tls, mount };

  app.route("/", wholeDatabaseRoutes({ platform, mount, journal: observability.journal, service: "compute" }));
  app.route("/", runtimeRoutes(dependencies));
  app.route("/", computeControlRoutes(dependencies));
  app.route("/", contourRoutes(dependencies));
  return app;
}
