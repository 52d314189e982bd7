import { Hono } from "hono";
import { controlPlaneRoutes as routes } from "@foundry-emulator/contract";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { certificateAuthorityHandler, mintTokenHandler, resetHandler } from "./control.handlers";
import {
  addClientSecretHandler,
  createPersonalTokenHandler,
  listClientSecretsHandler,
  listPersonalTokensHandler,
  removeClientSecretHandler,
  revokePersonalTokenHandler,
} from "./credentials.handlers";
import { openApiHandler } from "./openapi.handlers";
import { applySeedHandler } from "./seed.handlers";
import { restoreHandler, snapshotHandler } from "./snapshot.handlers";

/** /_emulate/...: the control plane that tests, the testcontainers module and operators use. */
export function controlRoutes(dependencies: AuthDependencies) {
  const { mount } = dependencies;
  const router = new Hono<ServiceBindings>();
  mount(router, routes.certificateAuthority, certificateAuthorityHandler(dependencies));
  mount(router, routes.reset, resetHandler(dependencies));
  mount(router, routes.seed, applySeedHandler(dependencies));
  mount(router, routes.snapshot, snapshotHandler(dependencies));
  mount(router, routes.restore, restoreHandler(dependencies));
  mount(router, routes.openApi, openApiHandler(dependencies));
  mount(router, routes.mintToken, mintTokenHandler(dependencies));
  mount(router, routes.listClientSecrets, listClientSecretsHandler(dependencies));
  mount(router, routes.addClientSecret, addClientSecretHandler(dependencies));
  mount(router, routes.removeClientSecret, removeClientSecretHandler(dependencies));
  mount(router, routes.listPersonalTokens, listPersonalTokensHandler(dependencies));
  mount(router, routes.createPersonalToken, createPersonalTokenHandler(dependencies));
  mount(router, routes.revokePersonalToken, revokePersonalTokenHandler(dependencies));
  return router;
}
