import type { Context } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { Principal } from "@foundry-emulator/tokens";
import { toFoundryUser } from "../../users/user-wire";

// The body of a principal, serialized once: the verifier hands out the same principal object for
// as long as its row is unchanged, and a changed row is a new object, so this never goes stale.
const bodies = new WeakMap<Principal, string>();
const jsonHeaders = { "content-type": "application/json" };

/** GET /api/v2/admin/users/getCurrent (`preview` accepted and ignored). */
export function getCurrentUserHandler() {
  return (context: Context<ServiceBindings>) => {
    const { principal } = context.get("verifiedToken");
    let body = bodies.get(principal);
    if (body === undefined) {
      body = JSON.stringify(toFoundryUser(principal));
      bodies.set(principal, body);
    }
    return context.body(body, 200, jsonHeaders);
  };
}
