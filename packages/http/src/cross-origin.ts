import type { MiddlewareHandler } from "hono";

const allowMethods = ["GET", "POST", "PUT", "DELETE", "OPTIONS"].join(",");
const allowHeaders = ["Authorization", "Content-Type", "Fetch-User-Agent", "Accept", "X-Request-Id"].join(",");
const exposeHeaders = ["X-Request-Id"].join(",");

/**
 * Browser apps (an @osdk/oauth public client, a platform SDK client) call the emulator from their
 * own origin: reflect the origin, allow the headers those clients send (`Authorization` and
 * `Fetch-User-Agent` make getCurrent preflight), and expose nothing else.
 *
 * The headers are those of hono/cors with these options, set before the handler runs (they go into
 * the headers the handler's response is built with) rather than on `context.res` around it, which
 * makes Hono build and then copy a second response on every request.
 */
export const allowBrowserApps = (): MiddlewareHandler => async (context, next) => {
  const origin = context.req.header("origin") || "*";
  context.header("Access-Control-Allow-Origin", origin);
  context.header("Access-Control-Expose-Headers", exposeHeaders);
  context.header("Vary", "Origin", { append: true });
  if (context.req.method === "OPTIONS") {
    context.header("Access-Control-Max-Age", "600");
    context.header("Access-Control-Allow-Methods", allowMethods);
    context.header("Access-Control-Allow-Headers", allowHeaders);
    context.header("Vary", "Access-Control-Request-Headers", { append: true });
    return context.body(null, 204);
  }
  await next();
  // A response the handler built without the context (none do today) still gets the headers.
  const headers = context.res.headers;
  if (!headers.has("Access-Control-Allow-Origin")) {
    try {
      headers.set("Access-Control-Allow-Origin", origin);
      headers.set("Access-Control-Expose-Headers", exposeHeaders);
      headers.append("Vary", "Origin");
    } catch {
      // immutable headers (a fetched response): left as they are
    }
  }
};
