import { and, eq, lt } from "drizzle-orm";
import { authorizationCodes, authorizationRequests, principals } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { hashSecret, randomSecret } from "@foundry-emulator/tokens";

export type AuthorizationRequest = typeof authorizationRequests.$inferSelect;

export interface ValidatedAuthorization {
  clientId: string;
  redirectUri: string;
  redirectUriSent: boolean;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
}

/** Stores a validated /authorize request until the user picks who signs in. */
export function createAuthorizationRequest(platform: Platform, authorization: ValidatedAuthorization): AuthorizationRequest {
  const now = platform.now();
  const ttl = platform.environment.FOUNDRY_AUTHORIZATION_CODE_TTL * 1000;
  // Keep the tables small: forget requests and codes well past their lifetime (replays of a code
  // are still recognised for an hour after it expired).
  platform.database.delete(authorizationRequests).where(lt(authorizationRequests.expiresAt, now)).run();
  platform.database.delete(authorizationCodes).where(lt(authorizationCodes.expiresAt, now - 3_600_000)).run();
  const row: AuthorizationRequest = {
    id: randomSecret(24),
    clientId: authorization.clientId,
    redirectUri: authorization.redirectUri,
    redirectUriSent: authorization.redirectUriSent,
    scopes: authorization.scopes,
    state: authorization.state ?? null,
    codeChallenge: authorization.codeChallenge ?? null,
    createdAt: now,
    expiresAt: now + ttl,
  };
  platform.database.insert(authorizationRequests).values(row).run();
  return row;
}

/** Takes (and deletes) a pending request: each one can be answered once. */
export function takeAuthorizationRequest(platform: Platform, id: string): AuthorizationRequest | undefined {
  const row = platform.database.delete(authorizationRequests).where(eq(authorizationRequests.id, id)).returning().get();
  if (!row || row.expiresAt <= platform.now()) return undefined;
  return row;
}

export function findAuthorizationRequest(platform: Platform, id: string): AuthorizationRequest | undefined {
  const row = platform.database.select().from(authorizationRequests).where(eq(authorizationRequests.id, id)).get();
  return row && row.expiresAt > platform.now() ? row : undefined;
}

/** The humans the picker offers: active seeded or created users, never service principals. */
export function listSignInUsers(platform: Platform) {
  return platform.database
    .select()
    .from(principals)
    .where(and(eq(principals.kind, "user"), eq(principals.active, true)))
    .orderBy(principals.username)
    .all();
}

export function findActiveUser(platform: Platform, username: string) {
  const user = platform.database
    .select()
    .from(principals)
    .where(and(eq(principals.kind, "user"), eq(principals.username, username)))
    .get();
  return user?.active ? user : undefined;
}

/** Issues the single-use code for a request answered by a user; only its hash is stored. */
export function issueAuthorizationCode(platform: Platform, request: AuthorizationRequest, principalId: string): string {
  const code = randomSecret();
  const now = platform.now();
  platform.database
    .insert(authorizationCodes)
    .values({
      codeHash: hashSecret(code),
      clientId: request.clientId,
      principalId,
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      scopes: request.scopes,
      codeChallenge: request.codeChallenge,
      createdAt: now,
      expiresAt: now + platform.environment.FOUNDRY_AUTHORIZATION_CODE_TTL * 1000,
    })
    .run();
  return code;
}
