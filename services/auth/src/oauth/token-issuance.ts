import { and, eq, isNull, sql } from "drizzle-orm";
import { accessTokens, grants, groupCommitterFor, prepareOnce, refreshTokens, type FoundryDatabase } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { OauthError } from "@foundry-emulator/http";
import { formatScopes, hashSecret, randomSecret, recordAccessToken, signAccessToken, timeOrderedUuid, type AccessTokenClaims } from "@foundry-emulator/tokens";

export interface GrantedTokens {
  claims: AccessTokenClaims;
  refreshToken: string | undefined;
  scopes: string[];
}

export interface TokenSetRequest {
  grantId: string;
  principal: { id: string; organizationRid: string | null };
  clientId: string;
  accessScopes: string[];
  /** The scopes the refresh token carries; undefined = no refresh token. */
  refreshScopes: string[] | undefined;
  /** Overrides FOUNDRY_ACCESS_TOKEN_TTL (minted tokens). */
  ttlSeconds?: number | undefined;
}

/**
 * Runs a grant's checks and writes atomically, in its own savepoint of an IMMEDIATE transaction
 * shared with the grants that arrived in the same event-loop turn (group commit), and resolves once
 * that transaction has committed: a token is never answered before its rows are durable. A failure
 * that changed state (a burned code, a revoked family) is returned, not thrown, so it commits too.
 */
export async function commitGrant(database: FoundryDatabase, work: () => GrantedTokens | OauthError): Promise<GrantedTokens> {
  const outcome = await groupCommitterFor(database.$client).enqueue(work);
  if (outcome instanceof OauthError) throw outcome;
  return outcome;
}

/** Stores an access token (and a refresh token) for a grant. Call inside the grant's transaction. */
export function storeTokenSet(platform: Platform, request: TokenSetRequest, now: number): GrantedTokens {
  const { environment, database } = platform;
  const claims = recordAccessToken(database, {
    principalId: request.principal.id,
    organizationRid: request.principal.organizationRid,
    clientId: request.clientId,
    grantId: request.grantId,
    scopes: request.accessScopes,
    ttlSeconds: request.ttlSeconds ?? environment.FOUNDRY_ACCESS_TOKEN_TTL,
    now,
  });
  let refreshToken: string | undefined;
  if (request.refreshScopes) {
    refreshToken = randomSecret();
    prepareOnce(database, insertRefreshToken).run({
      tokenHash: hashSecret(refreshToken),
      grantId: request.grantId,
      clientId: request.clientId,
      scopes: request.refreshScopes,
      createdAt: now,
      expiresAt: now + environment.FOUNDRY_REFRESH_TOKEN_TTL * 1000,
    });
  }
  return { claims, refreshToken, scopes: request.accessScopes };
}

/** The token endpoint's 200 body: never an id_token; refresh_token only with offline access. */
export async function tokenResponseBody(platform: Platform, granted: GrantedTokens) {
  const accessToken = await signAccessToken(platform.signingKey, platform.issuer, granted.claims);
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: Math.round((granted.claims.expiresAt - granted.claims.issuedAt) / 1000),
    scope: formatScopes(granted.scopes),
    ...(granted.refreshToken ? { refresh_token: granted.refreshToken } : {}),
  };
}

/** Revokes a whole token family: the grant, its refresh tokens and its access tokens. */
export function revokeGrant(database: FoundryDatabase, grantId: string, reason: string, now: number): void {
  database
    .update(grants)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(grants.id, grantId), isNull(grants.revokedAt)))
    .run();
  database
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.grantId, grantId), isNull(refreshTokens.revokedAt)))
    .run();
  database
    .update(accessTokens)
    .set({ revokedAt: now })
    .where(and(eq(accessTokens.grantId, grantId), isNull(accessTokens.revokedAt)))
    .run();
}

export function createGrant(database: FoundryDatabase, grant: { grantType: string; clientId: string; principalId: string; scopes: string[] }, now: number): string {
  const id = timeOrderedUuid(now); // the JWT's sid; time-ordered for the index (see timeOrderedUuid)
  prepareOnce(database, insertGrant).run({ id, ...grant, createdAt: now });
  return id;
}

// Statements of every token issuance, prepared once per connection (see prepareOnce).
const insertGrant = (database: FoundryDatabase) =>
  database
    .insert(grants)
    .values({
      id: sql.placeholder("id"),
      grantType: sql.placeholder("grantType"),
      clientId: sql.placeholder("clientId"),
      principalId: sql.placeholder("principalId"),
      scopes: sql.placeholder("scopes"),
      createdAt: sql.placeholder("createdAt"),
    })
    .prepare();
const insertRefreshToken = (database: FoundryDatabase) =>
  database
    .insert(refreshTokens)
    .values({
      tokenHash: sql.placeholder("tokenHash"),
      grantId: sql.placeholder("grantId"),
      clientId: sql.placeholder("clientId"),
      scopes: sql.placeholder("scopes"),
      createdAt: sql.placeholder("createdAt"),
      expiresAt: sql.placeholder("expiresAt"),
    })
    .prepare();
