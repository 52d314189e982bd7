import { cors } from "hono/cors";

/**
 * Browser apps (an @osdk/oauth public client, a platform SDK client) call the emulator from their
 * own origin: reflect the origin, allow the headers those clients send (`Authorization` and
 * `Fetch-User-Agent` make getCurrent preflight), and expose nothing else.
 */
export const allowBrowserApps = () =>
  cors({
    origin: (origin) => origin || "*",
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Fetch-User-Agent", "Accept", "X-Request-Id"],
    exposeHeaders: ["X-Request-Id"],
    maxAge: 600,
  });
