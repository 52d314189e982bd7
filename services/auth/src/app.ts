import type { Platform } from "@foundry-emulator/bootstrap";
import { redirectUrisOf } from "@foundry-emulator/config";
import {
  OauthError,
  allowBrowserApps,
  corsOriginAllowance,
  createRouteMounter,
  createServiceApp,
  foundryErrors,
  limitRequestBody,
  requestObservabilityOf,
  respondWithFoundryError,
  respondWithOauthError,
} from "@foundry-emulator/http";
import { oauthRoutes as oauthRouteSpecs, restorePath } from "@foundry-emulator/contract";
import { wholeDatabaseRoutes } from "@foundry-emulator/control-plane";
import { createClientDirectory } from "./oauth/oauth-clients";
import { adminRoutes } from "./routes/admin/admin.routes";
import { controlRoutes } from "./routes/control/control.routes";
import { dashboardRoutes } from "./routes/dashboard/dashboard.routes";
import { meRoutes } from "./routes/multipass/me.routes";
import { oauthRoutes } from "./routes/oauth/oauth.routes";

/** The auth service: Multipass OAuth 2.0, the Admin API's current user, and the control plane. */
export function createAuthApp(platform: Platform) {
  const mount = createRouteMounter({ verifier: platform.tokenVerifier, adminToken: platform.environment.FOUNDRY_ADMIN_TOKEN, publicUrl: platform.environment.FOUNDRY_PUBLIC_URL });
  const dependencies = { platform, clients: createClientDirectory(platform.database), mount };
  const maxBodyBytes = platform.environment.FOUNDRY_MAX_BODY_BYTES;
  const observability = requestObservabilityOf(platform);
  const app = createServiceApp({ service: "auth", ...observability, protection: platform.environment });

  const browserApps = allowBrowserApps(corsOriginAllowance(platform.environment, redirectUrisOf(platform.seed)));
  // Not the picker and its answer: no other origin may read or drive the sign-in pages.
  app.use("/multipass/*", (context, next) => (context.req.path.startsWith(oauthRouteSpecs.authorize.path) ? next() : browserApps(context, next)));
  app.use("/api/*", browserApps);
  app.use(
    "/multipass/api/oauth2/*",
    limitRequestBody(maxBodyBytes, (context) => respondWithOauthError(context, new OauthError("invalid_request", `The request body is larger than ${maxBodyBytes} bytes.`, 413))),
  );
  app.use(
    "/api/*",
    limitRequestBody(maxBodyBytes, (context) => respondWithFoundryError(context, foundryErrors.requestEntityTooLarge(maxBodyBytes))),
  );

  app.route("/", oauthRoutes(dependencies));
  app.route("/", meRoutes(dependencies));
  app.route("/", adminRoutes(dependencies));
  const controlBodyLimit = limitRequestBody(maxBodyBytes, (context) => {
    // The rest of the body is not read: do not leave it in a socket the client would reuse.
    context.header("Connection", "close");
    return respondWithFoundryError(context, foundryErrors.requestEntityTooLarge(maxBodyBytes));
  });
  // A snapshot is a whole database: the restore route bounds its body itself (FOUNDRY_MAX_SNAPSHOT_BYTES).
  app.use("/_emulate/*", (context, next) => (context.req.path === restorePath ? next() : controlBodyLimit(context, next)));
  app.route("/", wholeDatabaseRoutes({ platform, mount, journal: observability.journal, service: "auth" }));
  app.route("/", controlRoutes(dependencies));
  app.route("/", dashboardRoutes(dependencies));
  return app;
}
