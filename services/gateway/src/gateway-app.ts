import type { Hono } from "hono";
import { getPath } from "hono/utils/url";
import { serviceForPath, type ServiceName } from "./route-table";

type FetchHandler = { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> };
type ServiceFetch = (request: Request, env: unknown, executionContext?: unknown) => Response | Promise<Response>;

const healthBody = JSON.stringify({ status: "ok", service: "all" });

/**
 * The all-in-one emulator: one listener, each request handed to the service the route table
 * names — the same split nginx makes in the compose stack. A plain dispatch on the path (as Hono
 * reads it), not a Hono app of its own: every request would otherwise pay for a second context
 * and middleware chain before reaching its service.
 */
export function createGatewayApp(services: Record<ServiceName, FetchHandler>): Pick<Hono, "fetch"> {
  const fetch = (request: Request, env?: unknown, executionContext?: unknown) => {
    const path = getPath(request);
    if (path === "/_emulate/health" && (request.method === "GET" || request.method === "HEAD")) {
      return new Response(request.method === "HEAD" ? null : healthBody, { headers: { "content-type": "application/json" } });
    }
    const service = serviceForPath(path) ?? "auth";
    return (services[service].fetch as ServiceFetch)(request, env, executionContext);
  };
  return { fetch: fetch as Hono["fetch"] };
}
