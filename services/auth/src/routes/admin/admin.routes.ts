import { Hono } from "hono";
import { requireBearerToken, requireScope, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { getCurrentUserHandler } from "./users.handlers";

/** /api/v2/admin */
export function adminRoutes({ platform }: AuthDependencies) {
  return new Hono<ServiceBindings>().get(
    "/users/getCurrent",
    requireBearerToken(platform.tokenVerifier),
    requireScope("api:admin-read"),
    getCurrentUserHandler(),
  );
}
