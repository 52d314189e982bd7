import type { RouteAccessEntry } from "./route-access";

const oauth = "/multipass/api/oauth2";
const runtimes = "/_emulate/foundry/compute-modules/runtimes";
const contour = "/contour-backend-multiplexer/api/module-group-multiplexer";
const contourReason = "the platform gates contour routes by application permission (deployed-apps:submit/view), not by an API scope";

/**
 * Every emulated route and what it demands of its caller: the single table that scope
 * enforcement reads (`enforceRouteAccess`) and that a test walks, so no route is left unguarded.
 */
export const routeAccessTable: readonly RouteAccessEntry[] = [
  // Multipass OAuth 2.0
  { method: "GET", path: `${oauth}/authorize`, access: { kind: "public", reason: "the browser's entry to sign-in; the client is checked against its registration" } },
  { method: "POST", path: `${oauth}/authorize/callback`, access: { kind: "public", reason: "the picker's answer; it names a stored, single-use sign-in request" } },
  { method: "POST", path: `${oauth}/token`, access: { kind: "oauth-client" } },
  { method: "POST", path: `${oauth}/revoke_token`, access: { kind: "oauth-client" } },
  { method: "GET", path: "/multipass/api/me", access: { kind: "token", reason: "the legacy who-am-I answers any signed-in principal" } },

  // Foundry platform API
  { method: "GET", path: "/api/v2/admin/users/getCurrent", access: { kind: "scope", scope: "api:admin-read" } },

  // Compute-module runtime (what a module container calls)
  { method: "POST", path: runtimes, access: { kind: "admin" } },
  { method: "GET", path: `${runtimes}/:runtimeId/job`, access: { kind: "module-token" } },
  { method: "POST", path: `${runtimes}/:runtimeId/schemas`, access: { kind: "module-token" } },
  { method: "POST", path: `${runtimes}/:runtimeId/results/:jobId`, access: { kind: "module-token" } },
  { method: "POST", path: `${runtimes}/:runtimeId/restart`, access: { kind: "module-token" } },

  // Contour job routes (what applications call)
  { method: "POST", path: `${contour}/compute-modules/jobs/execute`, access: { kind: "token", reason: contourReason } },
  { method: "POST", path: `${contour}/deployed-apps/jobs/execute`, access: { kind: "token", reason: contourReason } },
  { method: "POST", path: `${contour}/deployed-apps/jobs`, access: { kind: "token", reason: contourReason } },
  { method: "GET", path: `${contour}/deployed-apps/:rid/:branch/function-schemas`, access: { kind: "token", reason: contourReason } },
  { method: "GET", path: `${contour}/schemas`, access: { kind: "token", reason: contourReason } },
  { method: "GET", path: `${contour}/jobs/:jobId/status`, access: { kind: "token", reason: contourReason } },
  { method: "PUT", path: `${contour}/jobs/status/v2`, access: { kind: "token", reason: contourReason } },
  { method: "GET", path: `${contour}/jobs/:jobId/result`, access: { kind: "token", reason: contourReason } },
  { method: "PUT", path: `${contour}/jobs/result/v2`, access: { kind: "token", reason: contourReason } },
  { method: "PUT", path: `${contour}/jobs/:jobId/soft-cancel`, access: { kind: "token", reason: contourReason } },
  { method: "DELETE", path: `${contour}/jobs/:jobId`, access: { kind: "token", reason: contourReason } },
  { method: "DELETE", path: `${contour}/jobs`, access: { kind: "token", reason: contourReason } },

  // Control plane
  { method: "GET", path: "/_emulate/health", access: { kind: "public", reason: "health checks carry no credentials" } },
  { method: "GET", path: "/_emulate/ca.pem", access: { kind: "public", reason: "a CA certificate is public: clients need it to trust the HTTPS listener" } },
  { method: "GET", path: "/_emulate/openapi.json", access: { kind: "public", reason: "describes the control plane's routes; it holds no data" } },
  { method: "POST", path: "/_emulate/reset", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/seed", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/snapshot", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/restore", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/foundry/tokens", access: { kind: "admin" } },
  { method: "GET", path: "/_emulate/foundry/oauth-clients/:clientId/secrets", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/foundry/oauth-clients/:clientId/secrets", access: { kind: "admin" } },
  { method: "DELETE", path: "/_emulate/foundry/oauth-clients/:clientId/secrets/:secretId", access: { kind: "admin" } },
  { method: "GET", path: "/_emulate/foundry/personal-tokens", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/foundry/personal-tokens", access: { kind: "admin" } },
  { method: "DELETE", path: "/_emulate/foundry/personal-tokens/:tokenId", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/foundry/tokens/:tokenId/revoke", access: { kind: "admin" } },
  { method: "POST", path: "/_emulate/foundry/compute-modules/jobs/:jobId/cancel", access: { kind: "admin" } },
  { method: "GET", path: "/_emulate/foundry/compute-modules/jobs/:jobId/result", access: { kind: "admin-read" } },

  // Request journal
  { method: "GET", path: "/_emulate/requests", access: { kind: "admin-read" } },
  { method: "DELETE", path: "/_emulate/requests", access: { kind: "admin" } },

  // Dashboard: the page and its script are a static shell; everything it shows comes from the data
  // routes (and the journal), which the admin token guards when one is configured.
  { method: "GET", path: "/_emulate", access: { kind: "public", reason: "the dashboard page holds no data; it asks for the admin token when the data routes need it" } },
  { method: "GET", path: "/_emulate/dashboard/dashboard.js", access: { kind: "public", reason: "the dashboard's static script" } },
  { method: "GET", path: "/_emulate/dashboard/data/overview", access: { kind: "admin-read" } },
  { method: "GET", path: "/_emulate/dashboard/data/tokens", access: { kind: "admin-read" } },
  { method: "GET", path: "/_emulate/dashboard/data/jobs", access: { kind: "admin-read" } },
  { method: "GET", path: "/_emulate/dashboard/data/jobs/:jobId", access: { kind: "admin-read" } },
];
