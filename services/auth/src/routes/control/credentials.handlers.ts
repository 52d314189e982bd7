import type { Context } from "hono";
import { createPersonalTokenSchema } from "@foundry-emulator/contract";
import { parseJsonBody, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { addClientSecret, listClientSecrets, removeClientSecret } from "../../credentials/client-secrets";
import { createPersonalToken, listPersonalTokens, revokePersonalToken } from "../../credentials/personal-tokens";

type ControlContext = Context<ServiceBindings>;

/** GET /_emulate/foundry/oauth-clients/:clientId/secrets */
export const listClientSecretsHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) =>
    context.json({ data: listClientSecrets(platform, context.req.param("clientId")!) });

/** POST /_emulate/foundry/oauth-clients/:clientId/secrets: the new secret, shown this once. */
export const addClientSecretHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) => {
    context.header("Cache-Control", "no-store");
    return context.json(addClientSecret(platform, context.req.param("clientId")!), 201);
  };

/** DELETE /_emulate/foundry/oauth-clients/:clientId/secrets/:secretId */
export const removeClientSecretHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) => {
    removeClientSecret(platform, context.req.param("clientId")!, context.req.param("secretId")!);
    return context.body(null, 204);
  };

/** GET /_emulate/foundry/personal-tokens (never the token values) */
export const listPersonalTokensHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) =>
    context.json({ data: listPersonalTokens(platform) });

/** POST /_emulate/foundry/personal-tokens: the token, shown this once. */
export const createPersonalTokenHandler =
  ({ platform }: AuthDependencies) =>
  async (context: ControlContext) => {
    const body = await parseJsonBody(context, createPersonalTokenSchema);
    context.header("Cache-Control", "no-store");
    return context.json(createPersonalToken(platform, { username: body.username, scopes: body.scopes, label: body.label, expiresInSeconds: body.expires_in }), 201);
  };

/** DELETE /_emulate/foundry/personal-tokens/:tokenId */
export const revokePersonalTokenHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) => {
    revokePersonalToken(platform, context.req.param("tokenId")!);
    return context.body(null, 204);
  };
