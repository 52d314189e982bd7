import type { MiddlewareHandler } from "hono";
import { constantTimeEquals } from "@foundry-emulator/tokens";
import { foundryErrors } from "./errors/foundry-error";
import { bearerTokenOf } from "./authentication";

const mutatingMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Guards the control plane of a shared environment: with an admin token configured, every
 * mutating request must carry it as a bearer token (compared in constant time). Without one, the
 * control plane stays open for local use.
 */
export function requireAdminToken(adminToken: string | undefined): MiddlewareHandler {
  return async (context, next) => {
    if (adminToken && mutatingMethods.has(context.req.method)) {
      const presented = bearerTokenOf(context.req.header("Authorization"));
      if (!presented || !constantTimeEquals(presented, adminToken)) {
        throw foundryErrors.unauthorized("This control-plane route needs the emulator's admin token (FOUNDRY_ADMIN_TOKEN) as a bearer token.");
      }
    }
    await next();
  };
}
