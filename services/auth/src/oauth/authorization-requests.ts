import { and, eq, lt, sql } from "drizzle-orm";
import { authorizationCodes, authorizationRequests, prepareOnce, principals, type FoundryDatabase } from "@foundry-emulator/db";
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
  prepareOnce(platform.database, deleteExpiredRequests).run({ now });
  prepareOnce(platform.database, deleteForgottenCodes).run({ before: now - 3_600_000 });
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
  prepareOnce(platform.database, insertRequest).run(row);
  return row;
}

/** Takes (and deletes) a pending request: each one can be answered once. */
export function takeAuthorizationRequest(platform: Platform, id: string): AuthorizationRequest | undefined {
  const row = prepareOnce(platform.database, takeRequest).get({ id });
  if (!row || row.expiresAt <= platform.now()) return undefined;
  return row;
}

export function findAuthorizationRequest(platform: Platform, id: string): AuthorizationRequest | undefined {
  const row = prepareOnce(platform.database, requestById).get({ id });
  return row && row.expiresAt > platform.now() ? row : undefined;
}

/** The humans the picker offers: active seeded or created users, never service principals. */
export function listSignInUsers(platform: Platform) {
  return prepareOnce(platform.database, signInUsers).all();
}

export function findActiveUser(platform: Platform, username: string) {
  const user = prepareOnce(platform.database, userByName).get({ username });
  return user?.active ? user : undefined;
}

/** Issues the single-use code for a request answered by a user; only its hash is stored. */
export function issueAuthorizationCode(platform: Platform, request: AuthorizationRequest, principalId: string): string {
  const code = randomSecret();
  const now = platform.now();
  prepareOnce(platform.database, insertCode).run({
    codeHash: hashSecret(code),
    clientId: request.clientId,
    principalId,
    redirectUri: request.redirectUri,
    redirectUriSent: request.redirectUriSent,
    scopes: request.scopes,
    codeChallenge: request.codeChallenge,
    createdAt: now,
    expiresAt: now + platform.environment.FOUNDRY_AUTHORIZATION_CODE_TTL * 1000,
  });
  return code;
}

// Statements of the sign-in path, prepared once per connection (see prepareOnce).
const placeholder = sql.placeholder;
const deleteExpiredRequests = (database: FoundryDatabase) =>
  database
    .delete(authorizationRequests)
    .where(lt(authorizationRequests.expiresAt, placeholder("now")))
    .prepare();
const deleteForgottenCodes = (database: FoundryDatabase) =>
  database
    .delete(authorizationCodes)
    .where(lt(authorizationCodes.expiresAt, placeholder("before")))
    .prepare();
const insertRequest = (database: FoundryDatabase) =>
  database
    .insert(authorizationRequests)
    .values({
      id: placeholder("id"),
      clientId: placeholder("clientId"),
      redirectUri: placeholder("redirectUri"),
      redirectUriSent: placeholder("redirectUriSent"),
      scopes: placeholder("scopes"),
      state: placeholder("state"),
      codeChallenge: placeholder("codeChallenge"),
      createdAt: placeholder("createdAt"),
      expiresAt: placeholder("expiresAt"),
    })
    .prepare();
const takeRequest = (database: FoundryDatabase) =>
  database
    .delete(authorizationRequests)
    .where(eq(authorizationRequests.id, placeholder("id")))
    .returning()
    .prepare();
const requestById = (database: FoundryDatabase) =>
  database
    .select()
    .from(authorizationRequests)
    .where(eq(authorizationRequests.id, placeholder("id")))
    .prepare();
const signInUsers = (database: FoundryDatabase) =>
  database
    .select()
    .from(principals)
    .where(and(eq(principals.kind, "user"), eq(principals.active, true)))
    .orderBy(principals.username)
    .prepare();
const userByName = (database: FoundryDatabase) =>
  database
    .select()
    .from(principals)
    .where(and(eq(principals.kind, "user"), eq(principals.username, placeholder("username"))))
    .prepare();
const insertCode = (database: FoundryDatabase) =>
  database
    .insert(authorizationCodes)
    .values({
      codeHash: placeholder("codeHash"),
      clientId: placeholder("clientId"),
      principalId: placeholder("principalId"),
      redirectUri: placeholder("redirectUri"),
      redirectUriSent: placeholder("redirectUriSent"),
      scopes: placeholder("scopes"),
      codeChallenge: placeholder("codeChallenge"),
      createdAt: placeholder("createdAt"),
      expiresAt: placeholder("expiresAt"),
    })
    .prepare();
