import { Hono } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import { getCurrentUserHandler } from "./users.handlers";

/** /api/v2/admin (access: routeAccessTable) */
export function adminRoutes() {
  return new Hono<ServiceBindings>().get("/users/getCurrent", getCurrentUserHandler());
}
