import type { Context } from "hono";
import { OauthError, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { authenticateClient, readClientCredentials } from "../../oauth/client-authentication";
import { revokeToken } from "../../oauth/revocation";
import { readOauthForm } from "./token.handlers";

/**
 * POST /multipass/api/oauth2/revoke_token (RFC 7009): 200 for every well-formed request from an
 * authenticated client, including an unknown token or one issued to another client (which is
 * left alone, so the answer reveals nothing).
 */
export function revokeHandler({ platform, clients }: AuthDependencies) {
  return async (context: Context<ServiceBindings>) => {
    const form = await readOauthForm(context);
    const token = form.get("token");
    const client = authenticateClient(clients, readClientCredentials(context.req.header("Authorization"), form));
    if (!token) throw new OauthError("invalid_request", "token is required.");
    await revokeToken(platform, client.clientId, token, form.get("token_type_hint"));
    context.header("Cache-Control", "no-store");
    return context.body(null, 200);
  };
}
