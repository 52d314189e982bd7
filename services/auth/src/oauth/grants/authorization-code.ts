import { eq, sql } from "drizzle-orm";
import { authorizationCodes, prepareOnce, principals, type FoundryDatabase } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { OauthError } from "@foundry-emulator/http";
import { hashSecret, offlineAccessScope } from "@foundry-emulator/tokens";
import type { OauthClient } from "../oauth-clients";
import { codeVerifierPattern, verifierMatchesChallenge } from "../pkce";
import { commitGrant, createGrant, revokeGrant, storeTokenSet, type GrantedTokens } from "../token-issuance";

export interface CodeRedemption {
  code: string | undefined;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/**
 * Redeems an authorization code atomically (see commitGrant). The code is burned by the first
 * attempt, whatever its outcome; presenting it again revokes every token issued from it
 * (RFC 6749 §4.1.2). Failures that changed state are returned, not thrown, so they commit.
 */
export function redeemAuthorizationCode(platform: Platform, client: OauthClient, redemption: CodeRedemption): Promise<GrantedTokens> {
  const { database } = platform;
  if (!redemption.code) throw new OauthError("invalid_request", "code is required.");
  const codeHash = hashSecret(redemption.code);
  const now = platform.now();

  return commitGrant(database, (): GrantedTokens | OauthError => {
    const row = prepareOnce(database, codeByHash).get({ codeHash });
    if (!row || row.clientId !== client.clientId) return new OauthError("invalid_grant", "The authorization code is invalid.");
    if (row.consumedAt !== null) {
      if (row.grantId) revokeGrant(database, row.grantId, "authorization code replayed", now);
      return new OauthError("invalid_grant", "The authorization code was already used; tokens issued from it are revoked.");
    }
    prepareOnce(database, consumeCode).run({ codeHash, now });

    if (row.expiresAt <= now) return new OauthError("invalid_grant", "The authorization code has expired.");
    if (row.redirectUriSent && redemption.redirectUri === undefined) {
      return new OauthError("invalid_grant", "redirect_uri is required: it was sent with the authorization request.");
    }
    if (redemption.redirectUri !== undefined && redemption.redirectUri !== row.redirectUri) {
      return new OauthError("invalid_grant", "redirect_uri does not match the authorization request.");
    }
    if (row.codeChallenge) {
      if (redemption.codeVerifier === undefined) return new OauthError("invalid_grant", "code_verifier is required (PKCE).");
      if (!codeVerifierPattern.test(redemption.codeVerifier)) {
        return new OauthError("invalid_request", "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636).");
      }
      if (!verifierMatchesChallenge(redemption.codeVerifier, row.codeChallenge)) {
        return new OauthError("invalid_grant", "code_verifier does not match the code_challenge.");
      }
    } else if (redemption.codeVerifier !== undefined) {
      return new OauthError("invalid_grant", "code_verifier sent, but the authorization request had no code_challenge.");
    }
    const principal = prepareOnce(database, principalById).get({ id: row.principalId });
    if (!principal?.active) return new OauthError("invalid_grant", "The user is no longer active.");

    const grantId = createGrant(database, { grantType: "authorization_code", clientId: client.clientId, principalId: principal.id, scopes: row.scopes }, now);
    prepareOnce(database, setCodeGrant).run({ codeHash, grantId });
    const offline = row.scopes.includes(offlineAccessScope) && client.grantTypes.includes("refresh_token");
    return storeTokenSet(
      platform,
      {
        grantId,
        principal: { id: principal.id, organizationRid: principal.organizationRid },
        clientId: client.clientId,
        accessScopes: row.scopes,
        refreshScopes: offline ? row.scopes : undefined,
      },
      now,
    );
  });
}

// Prepared once per connection (see prepareOnce).
const bound = (name: string) => sql`${sql.placeholder(name)}`;
const codeByHash = (database: FoundryDatabase) =>
  database
    .select()
    .from(authorizationCodes)
    .where(eq(authorizationCodes.codeHash, sql.placeholder("codeHash")))
    .prepare();
const consumeCode = (database: FoundryDatabase) =>
  database
    .update(authorizationCodes)
    .set({ consumedAt: bound("now") })
    .where(eq(authorizationCodes.codeHash, sql.placeholder("codeHash")))
    .prepare();
const setCodeGrant = (database: FoundryDatabase) =>
  database
    .update(authorizationCodes)
    .set({ grantId: bound("grantId") })
    .where(eq(authorizationCodes.codeHash, sql.placeholder("codeHash")))
    .prepare();
const principalById = (database: FoundryDatabase) =>
  database
    .select()
    .from(principals)
    .where(eq(principals.id, sql.placeholder("id")))
    .prepare();
