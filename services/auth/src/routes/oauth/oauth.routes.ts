import { Hono } from "hono";
import { oauthRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { authorizeCallbackHandler, authorizeHandler } from "./authorize.handlers";
import { revokeHandler } from "./revoke.handlers";
import { tokenHandler } from "./token.handlers";

/** Multipass OAuth 2.0: /multipass/api/oauth2/... */
export function oauthRoutes(dependencies: AuthDependencies) {
  const { mount } = dependencies;
  const router = new Hono<ServiceBindings>();
  mount(router, routes.authorize, authorizeHandler(dependencies));
  mount(router, routes.authorizeCallback, authorizeCallbackHandler(dependencies));
  mount(router, routes.token, tokenHandler(dependencies));
  mount(router, routes.revokeToken, revokeHandler(dependencies));
  return router;
}
