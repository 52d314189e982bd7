import type { Context } from "hono";
import { OauthError, isFormContentType, parseFormBody, setResponseHeader, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { authenticateClient, readClientCredentials } from "../../oauth/client-authentication";
import { redeemAuthorizationCode } from "../../oauth/grants/authorization-code";
import { grantClientCredentials } from "../../oauth/grants/client-credentials";
import { exchangeRefreshToken } from "../../oauth/grants/refresh-token";
import { tokenResponseBody, type GrantedTokens } from "../../oauth/token-issuance";

const supportedGrantTypes = new Set(["authorization_code", "refresh_token", "client_credentials"]);

/** Reads an OAuth form body: the right media type (charset allowed), each parameter at most once. */
export async function readOauthForm(context: Context<ServiceBindings>): Promise<Map<string, string>> {
  if (!isFormContentType(context.req.header("Content-Type"))) {
    throw new OauthError("invalid_request", "The body must be application/x-www-form-urlencoded.");
  }
  const form = parseFormBody(await context.req.text());
  if (!form.ok) throw new OauthError("invalid_request", `${form.duplicate} was sent more than once.`);
  return form.values;
}

/** POST /multipass/api/oauth2/token */
export function tokenHandler(dependencies: AuthDependencies) {
  const { platform, clients } = dependencies;
  return async (context: Context<ServiceBindings>) => {
    const form = await readOauthForm(context);
    const grantType = form.get("grant_type");
    if (!grantType) throw new OauthError("invalid_request", "grant_type is required.");
    context.set("oauthGrantType", grantType.slice(0, 100)); // for the request journal and log
    if (!supportedGrantTypes.has(grantType)) throw new OauthError("unsupported_grant_type", `grant_type '${grantType}' is not supported.`);
    const client = authenticateClient(clients, readClientCredentials(context.req.header("Authorization"), form));
    context.set("oauthClientId", client.clientId);
    if (!client.grantTypes.includes(grantType as never)) {
      throw new OauthError("unauthorized_client", `This client may not use the ${grantType} grant.`);
    }

    let granted: GrantedTokens;
    switch (grantType) {
      case "authorization_code":
        granted = await redeemAuthorizationCode(platform, client, {
          code: form.get("code"),
          redirectUri: form.get("redirect_uri"),
          codeVerifier: form.get("code_verifier"),
        });
        break;
      case "refresh_token":
        granted = await exchangeRefreshToken(platform, client, { refreshToken: form.get("refresh_token"), scope: form.get("scope") });
        break;
      default:
        granted = await grantClientCredentials(platform, client, form.get("scope"));
    }
    const body = await tokenResponseBody(platform, granted);
    setResponseHeader(context, "Cache-Control", "no-store");
    setResponseHeader(context, "Pragma", "no-cache");
    return context.json(body, 200);
  };
}
