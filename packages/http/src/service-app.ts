import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { FoundryError, foundryErrors, respondWithFoundryError } from "./errors/foundry-error";
import { OauthError, respondWithOauthError } from "./errors/oauth-error";
import type { RequestJournal } from "./request-journal";
import type { Logger } from "./logger";
import { observeRequests } from "./request-logging";
import type { ServiceBindings } from "./service-environment";
import { protectFromOtherSites, type SiteProtectionSettings } from "./site-protection";

const oauthPathPrefix = "/multipass/api/oauth2/";

export interface ServiceAppOptions {
  service: "auth" | "compute";
  logger: Logger;
  /** The request journal (GET /_emulate/requests); undefined to keep none. */
  journal: RequestJournal | undefined;
  /** Host names, trusted proxies and the public URL the site protection checks requests against. */
  protection: SiteProtectionSettings;
}

/**
 * The base every service app starts from: a request id (returned in `X-Request-Id` and used as
 * `errorInstanceId`), one JSON log line and one journal entry per request, and one error handler
 * that answers in the envelope the path calls for — OAuth JSON under /multipass/api/oauth2,
 * Foundry's envelope elsewhere — never a stack trace; and the site protection (site-protection.ts).
 */
export function createServiceApp({ service, logger, journal, protection }: ServiceAppOptions) {
  const app = new Hono<ServiceBindings>();
  app.use(observeRequests({ service, logger, journal }));
  app.use(protectFromOtherSites(protection));

  app.onError((error, context) => {
    if (error instanceof OauthError) return respondWithOauthError(context, error);
    if (error instanceof FoundryError) return respondWithFoundryError(context, error);
    const isOauthPath = context.req.path.startsWith(oauthPathPrefix);
    if (error instanceof HTTPException && error.status < 500) {
      return isOauthPath
        ? respondWithOauthError(context, new OauthError("invalid_request", error.message || "Bad request", error.status))
        : respondWithFoundryError(context, new FoundryError("INVALID_ARGUMENT", "Conjure:InvalidArgument", {}, error.message, error.status));
    }
    logger.error({ service, requestId: context.get("requestId"), path: context.req.path, err: error }, "unhandled error");
    return isOauthPath ? respondWithOauthError(context, new OauthError("server_error", "An internal error occurred.")) : respondWithFoundryError(context, foundryErrors.internal());
  });

  app.notFound((context) => {
    // Foundry's clients read an empty-body 404 on /api as "this API is not available here".
    if (context.req.path.startsWith("/api/")) return context.body(null, 404);
    return respondWithFoundryError(context, foundryErrors.notFound("Default:NotFound", { path: context.req.path }, "No route matches this path."));
  });
  return app;
}

export type ServiceApp = ReturnType<typeof createServiceApp>;
