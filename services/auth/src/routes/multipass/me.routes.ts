import { Hono } from "hono";
import { requireBearerToken, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { toFoundryUser } from "../../users/user-wire";

/** GET /multipass/api/me: the legacy "who am I", any valid token, no scope needed. */
export function meRoutes({ platform }: AuthDependencies) {
  return new Hono<ServiceBindings>().get("/", requireBearerToken(platform.tokenVerifier), (context) =>
    context.json(toFoundryUser(context.get("verifiedToken").principal)),
  );
}
