import { Hono } from "hono";
import { serviceForPath, type ServiceName } from "./route-table";

type FetchHandler = { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> };

/**
 * The all-in-one emulator: one listener, each request handed to the service the route table
 * names — the same split nginx makes in the compose stack.
 */
export function createGatewayApp(services: Record<ServiceName, FetchHandler>) {
  const app = new Hono();
  app.get("/_emulate/health", (context) => context.json({ status: "ok", service: "all" }));
  app.all("*", (context) => {
    const service = serviceForPath(context.req.path) ?? "auth";
    return (services[service].fetch as (request: Request, env: unknown, executionContext?: unknown) => Response | Promise<Response>)(
      context.req.raw,
      context.env,
    );
  });
  return app;
}
