import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { FoundryError, foundryErrors, respondWithFoundryError } from "./errors/foundry-error";
import { OauthError, respondWithOauthError } from "./errors/oauth-error";
import type { ServiceBindings } from "./service-environment";

const oauthPathPrefix = "/multipass/api/oauth2/";

/**
 * The base every service app starts from: a request id (returned in `X-Request-Id` and used as
 * `errorInstanceId`), and one error handler that answers in the envelope the path calls for —
 * OAuth JSON under /multipass/api/oauth2, Foundry's envelope elsewhere — never a stack trace.
 */
export function createServiceApp() {
  const app = new Hono<ServiceBindings>();
  app.use(requestId({ headerName: "X-Request-Id" }));

  app.onError((error, context) => {
    if (error instanceof OauthError) return respondWithOauthError(context, error);
    if (error instanceof FoundryError) return respondWithFoundryError(context, error);
    const isOauthPath = context.req.path.startsWith(oauthPathPrefix);
    if (error instanceof HTTPException && error.status < 500) {
      return isOauthPath
        ? respondWithOauthError(context, new OauthError("invalid_request", error.message || "Bad request", error.status))
        : respondWithFoundryError(context, new FoundryError("INVALID_ARGUMENT", "Conjure:InvalidArgument", {}, error.message, error.status));
    }
    console.error(JSON.stringify({ level: "error", msg: "unhandled error", path: context.req.path, requestId: context.get("requestId"), error: String(error?.stack ?? error) }));
    return isOauthPath
      ? respondWithOauthError(context, new OauthError("server_error", "An internal error occurred."))
      : respondWithFoundryError(context, foundryErrors.internal());
  });

  app.notFound((context) => {
    // Foundry's clients read an empty-body 404 on /api as "this API is not available here".
    if (context.req.path.startsWith("/api/")) return context.body(null, 404);
    return respondWithFoundryError(context, foundryErrors.notFound("Default:NotFound", { path: context.req.path }, "No route matches this path."));
  });
  return app;
}

export type ServiceApp = ReturnType<typeof createServiceApp>;
