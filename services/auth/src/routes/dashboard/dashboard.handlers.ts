import type { Context } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";

type DashboardContext = Context<ServiceBindings>;

// The page and its script are imported on first request (esbuild puts them in chunks of their own):
// an emulator nobody opens the dashboard of neither parses nor keeps their text.
const loadDashboardPage = () => import("../../views/dashboard/dashboard-page");
const loadDashboardScript = () => import("../../views/dashboard/dashboard-script");

/** The dashboard page and its script; the page reads its data from the services' list routes. */
export function createDashboardHandlers({ platform }: AuthDependencies) {
  const { environment } = platform;

  return {
    /** GET /_emulate: the page lives at /_emulate/ (its links are relative to it). */
    redirectToPage: (context: DashboardContext) => context.redirect("_emulate/", 302),

    /** GET /_emulate/: the shell; the script fills it from the list routes. */
    page: async (context: DashboardContext) => {
      const { dashboardPage } = await loadDashboardPage();
      context.header("Cache-Control", "no-store");
      // Only its own script, styles inline in the page, data from its own origin; never framed.
      context.header(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      context.header("X-Frame-Options", "DENY");
      return context.html(dashboardPage({ adminTokenConfigured: environment.FOUNDRY_ADMIN_TOKEN !== undefined, journalCapacity: environment.FOUNDRY_JOURNAL_SIZE }));
    },

    /** GET /_emulate/dashboard/dashboard.js: a static file (views/dashboard/dashboard.client.js). */
    script: async (context: DashboardContext) =>
      context.body((await loadDashboardScript()).dashboardScript, 200, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
      }),
  };
}
