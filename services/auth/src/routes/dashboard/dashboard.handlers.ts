import type { Context } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { accessTokens } from "@foundry-emulator/db";
import { foundryErrors, parseQuery, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { createDashboardQueries, decodeTokenCursor, isJobStatus } from "./dashboard-queries";

type DashboardContext = Context<ServiceBindings>;

const jobsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d{1,16}$/, "the nextCursor of a previous page").optional(),
  status: z.string().refine(isJobStatus, "queued, inProgress, succeeded, failed or canceled").optional(),
  runtime: z.string().min(1).max(200).optional(),
  jobId: z.string().min(1).max(200).optional(),
});

const tokensQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().refine((text) => decodeTokenCursor(text) !== undefined, "the nextCursor of a previous page").optional(),
  principal: z.string().min(1).max(200).optional(),
  client: z.string().min(1).max(200).optional(),
  kind: z.enum(["oauth", "personal"]).optional(),
});

// The page and its script are imported on first request (esbuild puts them in chunks of their own):
// an emulator nobody opens the dashboard of neither parses nor keeps their text.
const loadDashboardPage = () => import("../../views/dashboard/dashboard-page");
const loadDashboardScript = () => import("../../views/dashboard/dashboard-script");

const noStore = (context: DashboardContext) => context.header("Cache-Control", "no-store");

/** The dashboard page, its script, its data, and the one action of its own (token revocation). */
export function createDashboardHandlers({ platform }: AuthDependencies) {
  const queries = createDashboardQueries(platform);
  const { environment } = platform;

  return {
    /** GET /_emulate: the page lives at /_emulate/ (its links are relative to it). */
    redirectToPage: (context: DashboardContext) => context.redirect("_emulate/", 302),

    /** GET /_emulate/: the shell; the script fills it from the data routes. */
    page: async (context: DashboardContext) => {
      const { dashboardPage } = await loadDashboardPage();
      noStore(context);
      // Only its own script, styles inline in the page, data from its own origin; never framed.
      context.header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      context.header("X-Frame-Options", "DENY");
      return context.html(dashboardPage({ adminTokenConfigured: environment.FOUNDRY_ADMIN_TOKEN !== undefined, journalCapacity: environment.FOUNDRY_JOURNAL_SIZE }));
    },

    /** GET /_emulate/dashboard/dashboard.js */
    script: async (context: DashboardContext) =>
      context.body((await loadDashboardScript()).dashboardScript, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" }),

    /** GET /_emulate/dashboard/data/overview: principals, clients, runtimes, deployed apps, personal tokens. */
    overview: (context: DashboardContext) => {
      noStore(context);
      return context.json({ generatedAt: new Date(platform.now()).toISOString(), adminTokenConfigured: environment.FOUNDRY_ADMIN_TOKEN !== undefined, ...queries.overview() });
    },

    /** GET /_emulate/dashboard/data/jobs?status=&runtime=&jobId=&cursor=&limit= */
    jobs: (context: DashboardContext) => {
      const query = parseQuery(context, jobsQuerySchema);
      noStore(context);
      return context.json(
        queries.listJobs({
          status: query.status as Parameters<typeof queries.listJobs>[0]["status"],
          runtimeId: query.runtime,
          jobId: query.jobId,
          before: query.cursor === undefined ? undefined : Number(query.cursor),
          limit: query.limit,
        }),
      );
    },

    /** GET /_emulate/dashboard/data/jobs/:jobId: with its query and a preview of its result. */
    job: (context: DashboardContext) => {
      const jobId = context.req.param("jobId") ?? "";
      const job = queries.jobDetail(jobId);
      if (!job) throw foundryErrors.notFound("ComputeModules:JobNotFound", { jobId }, "No job with this id (finished jobs are removed after the retention period).");
      noStore(context);
      return context.json(job);
    },

    /** GET /_emulate/dashboard/data/tokens?principal=&client=&kind=&cursor=&limit= : active access tokens. */
    tokens: (context: DashboardContext) => {
      const query = parseQuery(context, tokensQuerySchema);
      noStore(context);
      return context.json(
        queries.listActiveTokens({
          principal: query.principal,
          clientId: query.client,
          kind: query.kind,
          cursor: query.cursor === undefined ? undefined : decodeTokenCursor(query.cursor),
          limit: query.limit,
        }),
      );
    },

    /**
     * POST /_emulate/foundry/tokens/:tokenId/revoke: revokes one access token (OAuth or personal) by
     * its id, as the revocation endpoint revokes an access token: that token only, at once for every
     * process (the row is read on each request). Revoking a revoked token changes nothing.
     */
    revokeToken: (context: DashboardContext) => {
      const tokenId = context.req.param("tokenId") ?? "";
      const { database } = platform;
      const at = platform.now();
      const changed = database.update(accessTokens).set({ revokedAt: at }).where(and(eq(accessTokens.id, tokenId), isNull(accessTokens.revokedAt))).run().changes;
      const row = database.select({ id: accessTokens.id, revokedAt: accessTokens.revokedAt }).from(accessTokens).where(eq(accessTokens.id, tokenId)).get();
      if (!row) throw foundryErrors.notFound("AccessTokenNotFound", { tokenId });
      return context.json({ tokenId, revoked: true, revokedAt: new Date(row.revokedAt ?? at).toISOString(), changed: changed > 0 });
    },
  };
}
