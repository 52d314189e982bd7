import type { MiddlewareHandler } from "hono";
import { requestHeader, setResponseHeader } from "./node-fast-path";

const allowMethods = ["GET", "POST", "PUT", "DELETE", "OPTIONS"].join(",");
const allowHeaders = ["Authorization", "Content-Type", "Fetch-User-Agent", "Accept", "X-Request-Id"].join(",");
const exposeHeaders = ["X-Request-Id"].join(",");

/**
 * Browser apps (an @osdk/oauth public client, a platform SDK client) call the emulator from their
 * own origin: reflect the origin, allow the headers those clients send (`Authorization` and
 * `Fetch-User-Agent` make getCurrent preflight), and expose nothing else.
 *
 * The headers are those of hono/cors with these options, set before the handler runs on whatever
 * response the request ends with (see node-fast-path.ts), rather than on `context.res` around it,
 * which makes Hono build and then copy a second response on every request.
 */
export const allowBrowserApps = (): MiddlewareHandler => async (context, next) => {
  setResponseHeader(context, "Access-Control-Allow-Origin", requestHeader(context, "origin") || "*");
  setResponseHeader(context, "Access-Control-Expose-Headers", exposeHeaders);
  if (context.req.method === "OPTIONS") {
    setResponseHeader(context, "Vary", "Origin, Access-Control-Request-Headers");
    setResponseHeader(context, "Access-Control-Max-Age", "600");
    setResponseHeader(context, "Access-Control-Allow-Methods", allowMethods);
    setResponseHeader(context, "Access-Control-Allow-Headers", allowHeaders);
    return context.body(null, 204);
  }
  setResponseHeader(context, "Vary", "Origin");
  await next();
};
