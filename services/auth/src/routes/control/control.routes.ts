import { Hono } from "hono";
import { controlPlaneRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { listAccessTokensHandler, revokeAccessTokenHandler } from "./access-tokens.handlers";
import { mintTokenHandler } from "./control.handlers";
import {
  addClientSecretHandler,
  createPersonalTokenHandler,
  listClientSecretsHandler,
  listPersonalTokensHandler,
  removeClientSecretHandler,
  revokePersonalTokenHandler,
} from "./credentials.handlers";
import { listOauthClientsHandler } from "./oauth-clients.handlers";
import { listPrincipalsHandler } from "./principals.handlers";

/**
 * The auth service's part of the control plane: principals, clients and their secrets, access and
 * personal tokens (the whole-database routes come from @foundry-emulator/control-plane).
 */
export function controlRoutes(dependencies: AuthDependencies) {
  const { mount } = dependencies;
  const router = new Hono<ServiceBindings>();
  mount(router, routes.listPrincipals, listPrincipalsHandler(dependencies));
  mount(router, routes.listOauthClients, listOauthClientsHandler(dependencies));
  mount(router, routes.mintToken, mintTokenHandler(dependencies));
  const listAccessTokens = listAccessTokensHandler(dependencies);
  mount(router, routes.listAccessTokens, listAccessTokens);
  mount(router, routes.dashboardTokens, listAccessTokens);
  mount(router, routes.revokeAccessToken, revokeAccessTokenHandler(dependencies));
  mount(router, routes.listClientSecrets, listClientSecretsHandler(dependencies));
  mount(router, routes.addClientSecret, addClientSecretHandler(dependencies));
  mount(router, routes.removeClientSecret, removeClientSecretHandler(dependencies));
  mount(router, routes.listPersonalTokens, listPersonalTokensHandler(dependencies));
  mount(router, routes.createPersonalToken, createPersonalTokenHandler(dependencies));
  mount(router, routes.revokePersonalToken, revokePersonalTokenHandler(dependencies));
  return router;
}
