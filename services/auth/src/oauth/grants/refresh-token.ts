import { eq } from "drizzle-orm";
import { grants, principals, refreshTokens } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { OauthError } from "@foundry-emulator/http";
import { hashSecret, parseScopeParameter } from "@foundry-emulator/tokens";
import type { OauthClient } from "../oauth-clients";
import { commitGrant, revokeGrant, storeTokenSet, type GrantedTokens } from "../token-issuance";

/**
 * Exchanges a refresh token, rotating it: the presented one is spent and a new one is issued with
 * the same scopes (RFC 6749 §6). A spent token presented again is taken as stolen: the whole
 * family (grant) is revoked. A requested scope may only narrow the access token's scopes.
 */
export function exchangeRefreshToken(platform: Platform, client: OauthClient, presented: { refreshToken: string | undefined; scope: string | undefined }): Promise<GrantedTokens> {
  const { database } = platform;
  if (!presented.refreshToken) throw new OauthError("invalid_request", "refresh_token is required.");
  const tokenHash = hashSecret(presented.refreshToken);
  const requestedScopes = parseScopeParameter(presented.scope);
  const now = platform.now();

  return commitGrant(database, (): GrantedTokens | OauthError => {
    const row = database.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get();
    if (!row || row.clientId !== client.clientId) return new OauthError("invalid_grant", "The refresh token is invalid.");
    const grant = database.select().from(grants).where(eq(grants.id, row.grantId)).get();
    if (!grant || grant.revokedAt !== null || row.revokedAt !== null) return new OauthError("invalid_grant", "The refresh token was revoked.");
    if (row.rotatedAt !== null) {
      revokeGrant(database, row.grantId, "rotated refresh token reused", now);
      return new OauthError("invalid_grant", "The refresh token was already used; its whole token family is revoked.");
    }
    if (row.expiresAt <= now) return new OauthError("invalid_grant", "The refresh token has expired.");
    const widened = requestedScopes.filter((scope) => !row.scopes.includes(scope));
    if (widened.length > 0) throw new OauthError("invalid_scope", `A refresh may only narrow the scopes; not granted: ${widened.join(" ")}.`);
    const principal = database.select().from(principals).where(eq(principals.id, grant.principalId)).get();
    if (!principal?.active) return new OauthError("invalid_grant", "The user is no longer active.");

    database.update(refreshTokens).set({ rotatedAt: now }).where(eq(refreshTokens.tokenHash, tokenHash)).run();
    return storeTokenSet(
      platform,
      {
        grantId: grant.id,
        principal: { id: principal.id, organizationRid: principal.organizationRid },
        clientId: client.clientId,
        accessScopes: requestedScopes.length > 0 ? requestedScopes : row.scopes,
        refreshScopes: row.scopes,
      },
      now,
    );
  });
}
