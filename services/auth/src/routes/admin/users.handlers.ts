import type { Context } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import { toFoundryUser } from "../../users/user-wire";

/** GET /api/v2/admin/users/getCurrent (`preview` accepted and ignored). */
export function getCurrentUserHandler() {
  return (context: Context<ServiceBindings>) => context.json(toFoundryUser(context.get("verifiedToken").principal));
}
