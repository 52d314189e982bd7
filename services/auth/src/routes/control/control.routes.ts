import { Hono } from "hono";
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

/** /_emulate: the control plane that tests, the testcontainers module and operators use (access: routeAccessTable). */
export function controlRoutes(dependencies: AuthDependencies) {
  return new Hono<ServiceBindings>()
    .get("/ca.pem", certificateAuthorityHandler(dependencies))
    .post("/reset", resetHandler(dependencies))
    .post("/seed", applySeedHandler(dependencies))
    .post("/snapshot", snapshotHandler(dependencies))
    .post("/restore", restoreHandler(dependencies))
    .get("/openapi.json", openApiHandler(dependencies))
    .post("/foundry/tokens", mintTokenHandler(dependencies))
    .get("/foundry/oauth-clients/:clientId/secrets", listClientSecretsHandler(dependencies))
    .post("/foundry/oauth-clients/:clientId/secrets", addClientSecretHandler(dependencies))
    .delete("/foundry/oauth-clients/:clientId/secrets/:secretId", removeClientSecretHandler(dependencies))
    .get("/foundry/personal-tokens", listPersonalTokensHandler(dependencies))
    .post("/foundry/personal-tokens", createPersonalTokenHandler(dependencies))
    .delete("/foundry/personal-tokens/:tokenId", revokePersonalTokenHandler(dependencies));
}
