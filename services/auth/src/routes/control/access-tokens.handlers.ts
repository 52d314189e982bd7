import type { Context } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { accessTokenListQuerySchema } from "@foundry-emulator/contract";
import { accessTokens } from "@foundry-emulator/db";
import { foundryErrors, parseQuery, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { decodeTokenCursor, listActiveTokens } from "./access-token-listing";

type ControlContext = Context<ServiceBindings>;

/** GET /_emulate/foundry/tokens?principal=&client=&kind=&cursor=&limit= (and its dashboard alias): active access tokens. */
export const listAccessTokensHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) => {
    const query = parseQuery(context, accessTokenListQuerySchema);
    context.header("Cache-Control", "no-store");
    return context.json(
      listActiveTokens(platform.database, platform.now(), {
        principal: query.principal,
        clientId: query.client,
        kind: query.kind,
        cursor: query.cursor === undefined ? undefined : decodeTokenCursor(query.cursor),
        limit: query.limit,
      }),
    );
  };

/**
 * POST /_emulate/foundry/tokens/:tokenId/revoke: revokes one access token (OAuth or personal) by
 * its id, as the revocation endpoint revokes an access token: that token only, at once for every
 * process (the row is read on each request). Revoking a revoked token changes nothing.
 */
export const revokeAccessTokenHandler =
  ({ platform }: AuthDependencies) =>
  (context: ControlContext) => {
    const tokenId = context.req.param("tokenId") ?? "";
    const { database } = platform;
    const at = platform.now();
    const changed = database
      .update(accessTokens)
      .set({ revokedAt: at })
      .where(and(eq(accessTokens.id, tokenId), isNull(accessTokens.revokedAt)))
      .run().changes;
    const row = database.select({ id: accessTokens.id, revokedAt: accessTokens.revokedAt }).from(accessTokens).where(eq(accessTokens.id, tokenId)).get();
    if (!row) throw foundryErrors.notFound("AccessTokenNotFound", { tokenId });
    return context.json({ tokenId, revoked: true, revokedAt: new Date(row.revokedAt ?? at).toISOString(), changed: changed > 0 });
  };
