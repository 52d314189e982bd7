import { Hono } from "hono";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { authorizeCallbackHandler, authorizeHandler } from "./authorize.handlers";
import { revokeHandler } from "./revoke.handlers";
import { tokenHandler } from "./token.handlers";

/** /multipass/api/oauth2 */
export function oauthRoutes(dependencies: AuthDependencies) {
  return new Hono<ServiceBindings>()
    .get("/authorize", authorizeHandler(dependencies))
    .post("/authorize/callback", authorizeCallbackHandler(dependencies))
    .post("/token", tokenHandler(dependencies))
    .post("/revoke_token", revokeHandler(dependencies));
}
