import { Hono } from "hono";
import { oauthRoutes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { toFoundryUser } from "../../users/user-wire";

/** GET /multipass/api/me: the legacy "who am I". */
export function meRoutes({ mount }: AuthDependencies) {
  return mount(new Hono<ServiceBindings>(), oauthRoutes.me, (context) => context.json(toFoundryUser(context.get("verifiedToken").principal)));
}
