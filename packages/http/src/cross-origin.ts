import type { MiddlewareHandler } from "hono";
import { requestHeader, setResponseHeader } from "./node-fast-path";

const allowMethods = ["GET", "POST", "PUT", "DELETE", "OPTIONS"].join(",");
const allowHeaders = ["Authorization", "Content-Type", "Fetch-User-Agent", "Accept", "X-Request-Id"].join(",");
const exposeHeaders = ["X-Request-Id"].join(",");

/**
 * Which origins browser apps may call from: FOUNDRY_CORS_ORIGINS when set (`*` = any); otherwise
 * the emulator's own, localhost's on any port, and those of the start-up seed's redirect URIs
 * (where the seeded web apps live).
 */
export function corsOriginAllowance(
  settings: { FOUNDRY_CORS_ORIGINS?: readonly string[] | undefined; FOUNDRY_PUBLIC_URL: string },
  redirectUris: readonly string[],
): (origin: string) => boolean {
  if (settings.FOUNDRY_CORS_ORIGINS) {
    const listed = new Set(settings.FOUNDRY_CORS_ORIGINS.map((origin) => origin.toLowerCase()));
    return (origin) => listed.has("*") || listed.has(origin.toLowerCase());
  }
  const origins = new Set([new URL(settings.FOUNDRY_PUBLIC_URL).origin, ...redirectUris.map((uri) => new URL(uri).origin)]);
  return (origin) => {
    if (origins.has(origin)) return true;
    try {
      const { hostname, protocol } = new URL(origin);
      return (protocol === "http:" || protocol === "https:") && (hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "127.0.0.1" || hostname === "[::1]");
    } catch {
      return false;
    }
  };
}

/**
 * Browser apps (an @osdk/oauth public client, a platform SDK client) call the emulator from their
 * own origin: an allowed origin is named back (never a blind reflection), with the headers those
 * clients send (`Authorization` and `Fetch-User-Agent` make getCurrent preflight), and nothing else
 * exposed. Another origin gets no CORS headers, so its page cannot read the answer.
 *
 * The headers are those of hono/cors with these options, set before the handler runs on whatever
 * response the request ends with (see node-fast-path.ts), rather than on `context.res` around it,
 * which makes Hono build and then copy a second response on every request.
 */
export const allowBrowserApps =
  (originAllowed: (origin: string) => boolean): MiddlewareHandler =>
  async (context, next) => {
    const origin = requestHeader(context, "origin");
    if (!origin || !originAllowed(origin)) {
      if (origin) setResponseHeader(context, "Vary", "Origin");
      return next();
    }
    setResponseHeader(context, "Access-Control-Allow-Origin", origin);
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
