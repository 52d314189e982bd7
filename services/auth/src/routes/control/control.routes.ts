import { Hono } from "hono";
import { controlPlaneRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { mintTokenHandler } from "./control.handlers";
import {
  addClientSecretHandler,
  createPersonalTokenHandler,
  listClientSecretsHandler,
  listPersonalTokensHandler,
  removeClientSecretHandler,
  revokePersonalTokenHandler,
} from "./credentials.handlers";

/** The auth service's part of the control plane: tokens, client secrets, personal tokens (the whole-database routes come from @foundry-emulator/control-plane). */
export function controlRoutes(dependencies: AuthDependencies) {
  const { mount } = dependencies;
  const router = new Hono<ServiceBindings>();
  mount(router, routes.mintToken, mintTokenHandler(dependencies));
  mount(router, routes.listClientSecrets, listClientSecretsHandler(dependencies));
  mount(router, routes.addClientSecret, addClientSecretHandler(dependencies));
  mount(router, routes.removeClientSecret, removeClientSecretHandler(dependencies));
  mount(router, routes.listPersonalTokens, listPersonalTokensHandler(dependencies));
  mount(router, routes.createPersonalToken, createPersonalTokenHandler(dependencies));
  mount(router, routes.revokePersonalToken, revokePersonalTokenHandler(dependencies));
  return router;
}
