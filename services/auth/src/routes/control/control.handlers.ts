import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { type mintedTokenResponseSchema, mintTokenRequestSchema } from "@foundry-emulator/contract";
import { immediateTransaction, principals } from "@foundry-emulator/db";
import { servicePrincipalIdFor } from "@foundry-emulator/config";
import { foundryErrors, parseJsonBody, type ServiceBindings } from "@foundry-emulator/http";
import { formatScopes } from "@foundry-emulator/tokens";
import type { AuthDependencies } from "../../auth-dependencies";
import { createGrant, storeTokenSet, tokenResponseBody } from "../../oauth/token-issuance";

/**
 * POST /_emulate/foundry/tokens: an access token for a user or a service principal with the given
 * scopes, without a browser. The answer has the token endpoint's shape.
 */
export function mintTokenHandler({ platform }: AuthDependencies) {
  return async (context: Context<ServiceBindings>) => {
    const body = await parseJsonBody(context, mintTokenRequestSchema);
    const kind = body.username ? "user" : "service";
    const username = (body.username ?? body.client_id)!;
    // A client's service principal is found by its id (derived from the client id): a seeded service user has a username of its own.
    const principal = platform.database
      .select()
      .from(principals)
      .where(
        body.username
          ? and(eq(principals.kind, "user"), eq(principals.username, body.username))
          : and(eq(principals.kind, "service"), eq(principals.id, servicePrincipalIdFor(username))),
      )
      .get();
    if (!principal) throw foundryErrors.notFound(kind === "user" ? "UserNotFound" : "ServicePrincipalNotFound", { [kind === "user" ? "username" : "clientId"]: username });
    if (!principal.active) throw foundryErrors.invalidArgument("UserDeleted", { principalId: principal.id }, "The principal is deactivated.");

    const now = platform.now();
    const clientId = body.client_id ?? "foundry-emulator-control-plane";
    const granted = immediateTransaction(platform.database, () => {
      const grantId = createGrant(platform.database, { grantType: "emulator_mint", clientId, principalId: principal.id, scopes: body.scopes }, now);
      return storeTokenSet(
        platform,
        {
          grantId,
          principal: { id: principal.id, organizationRid: principal.organizationRid },
          clientId,
          accessScopes: body.scopes,
          refreshScopes: undefined,
          ttlSeconds: body.expires_in,
        },
        now,
      );
    });
    const response = await tokenResponseBody(platform, granted);
    context.header("Cache-Control", "no-store");
    return context.json({ ...response, scope: formatScopes(body.scopes), user_id: principal.id } satisfies z.infer<typeof mintedTokenResponseSchema>);
  };
}
