import { Hono } from "hono";
import { platformApiRoutes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { getCurrentUserHandler } from "./users.handlers";

/** /api/v2/admin */
export function adminRoutes({ mount }: AuthDependencies) {
  return mount(new Hono<ServiceBindings>(), platformApiRoutes.getCurrentUser, getCurrentUserHandler());
}
