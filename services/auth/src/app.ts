import type { Platform } from "@foundry-emulator/bootstrap";
import {
  OauthError,
  allowBrowserApps,
  createServiceApp,
  enforceRouteAccess,
  foundryErrors,
  limitRequestBody,
  requestObservabilityOf,
  respondWithFoundryError,
  respondWithOauthError,
  routeAccessTable,
} from "@foundry-emulator/http";
import { createClientDirectory } from "./oauth/oauth-clients";
import { adminRoutes } from "./routes/admin/admin.routes";
import { controlRoutes } from "./routes/control/control.routes";
import { restorePath } from "./routes/control/snapshot.handlers";
import { dashboardRoutes } from "./routes/dashboard/dashboard.routes";
import { journalRoutes } from "./routes/journal/journal.routes";
import { meRoutes } from "./routes/multipass/me.routes";
import { oauthRoutes } from "./routes/oauth/oauth.routes";

/** The auth service: Multipass OAuth 2.0, the Admin API's current user, and the control plane. */
export function createAuthApp(platform: Platform) {
  const dependencies = { platform, clients: createClientDirectory(platform.database) };
  const maxBodyBytes = platform.environment.FOUNDRY_MAX_BODY_BYTES;
  const observability = requestObservabilityOf(platform);
  const app = createServiceApp({ service: "auth", ...observability });

  app.use("/multipass/*", allowBrowserApps());
  app.use("/api/*", allowBrowserApps());
  app.use(
    "/multipass/api/oauth2/*",
    limitRequestBody(maxBodyBytes, (context) =>
      respondWithOauthError(context, new OauthError("invalid_request", `The request body is larger than ${maxBodyBytes} bytes.`, 413)),
    ),
  );
  app.use("/api/*", limitRequestBody(maxBodyBytes, (context) => respondWithFoundryError(context, foundryErrors.requestEntityTooLarge(maxBodyBytes))));

  app.use(enforceRouteAccess(routeAccessTable, { verifier: platform.tokenVerifier, adminToken: platform.environment.FOUNDRY_ADMIN_TOKEN }));

  app.get("/_emulate/health", (context) => context.json({ status: "ok", service: "auth" }));
  app.route("/multipass/api/oauth2", oauthRoutes(dependencies));
  app.route("/multipass/api/me", meRoutes());
  app.route("/api/v2/admin", adminRoutes());
  const controlBodyLimit = limitRequestBody(maxBodyBytes, (context) => {
    // The rest of the body is not read: do not leave it in a socket the client would reuse.
    context.header("Connection", "close");
    return respondWithFoundryError(context, foundryErrors.requestEntityTooLarge(maxBodyBytes));
  });
  // A snapshot is a whole database: the restore route bounds its body itself (FOUNDRY_MAX_SNAPSHOT_BYTES).
  app.use("/_emulate/*", (context, next) => (context.req.path === restorePath ? next() : controlBodyLimit(context, next)));
  app.route("/_emulate", controlRoutes(dependencies));
  app.route("/_emulate", journalRoutes(observability.journal));
  app.route("/", dashboardRoutes(dependencies));
  return app;
}
