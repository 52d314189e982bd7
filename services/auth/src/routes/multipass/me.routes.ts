import { Hono } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import { toFoundryUser } from "../../users/user-wire";

/** GET /multipass/api/me: the legacy "who am I" (access: routeAccessTable). */
export function meRoutes() {
  return new Hono<ServiceBindings>().get("/", (context) => context.json(toFoundryUser(context.get("verifiedToken").principal)));
}
