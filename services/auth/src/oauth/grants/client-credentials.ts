import { and, eq, sql } from "drizzle-orm";
import { prepareOnce, principals, type FoundryDatabase } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { servicePrincipalIdFor } from "@foundry-emulator/config";
import { OauthError } from "@foundry-emulator/http";
import { offlineAccessScope, parseScopeParameter, scopesOutsideAllowed } from "@foundry-emulator/tokens";
import type { OauthClient } from "../oauth-clients";
import { commitGrant, createGrant, storeTokenSet, type GrantedTokens } from "../token-issuance";

/**
 * Issues an access token to the client's own service principal (a principal of kind "service"
 * named after the client id, never a human of that name). No refresh token, even when
 * offline_access is asked for, as the platform SDKs simply request a new token.
 */
export function grantClientCredentials(platform: Platform, client: OauthClient, scope: string | undefined): Promise<GrantedTokens> {
  const { database } = platform;
  if (!client.confidential && !client.open) {
    throw new OauthError("unauthorized_client", "client_credentials is only for confidential clients.");
  }
  const requested = parseScopeParameter(scope).filter((value) => value !== offlineAccessScope);
  const refused = scopesOutsideAllowed(requested, client.allowedScopes);
  if (refused.length > 0) throw new OauthError("invalid_scope", `Scopes not allowed for this client: ${refused.join(" ")}.`);
  const scopes = requested.length > 0 ? requested : client.allowedScopes.filter((value) => value !== offlineAccessScope);
  const now = platform.now();

  return commitGrant(database, () => {
    const principal = servicePrincipalOf(database, client, now);
    if (!principal.active) throw new OauthError("invalid_client", "The client's service principal is deactivated.", 401);
    const grantId = createGrant(database, { grantType: "client_credentials", clientId: client.clientId, principalId: principal.id, scopes }, now);
    return storeTokenSet(
      platform,
      { grantId, principal: { id: principal.id, organizationRid: null }, clientId: client.clientId, accessScopes: scopes, refreshScopes: undefined },
      now,
    );
  });
}

/**
 * The client's service principal: its id is derived from the client id, whether a seed declared it
 * (a `principal_type: service` user naming the client, with a username of its own) or the client's
 * first token creates it. Read first: it exists on every later one.
 */
function servicePrincipalOf(database: FoundryDatabase, client: OauthClient, now: number): { id: string; active: boolean } {
  const id = servicePrincipalIdFor(client.clientId);
  const existing = prepareOnce(database, servicePrincipalById).get({ id });
  if (existing) return existing;
  prepareOnce(database, insertServicePrincipal).run({ id, username: client.clientId, displayName: client.name ?? client.clientId, createdAt: now });
  return prepareOnce(database, servicePrincipalById).get({ id })!;
}

// Prepared once per connection (see prepareOnce): this grant is the hottest write path of the auth service.
const insertServicePrincipal = (database: FoundryDatabase) =>
  database
    .insert(principals)
    .values({
      id: sql.placeholder("id"),
      kind: "service",
      username: sql.placeholder("username"),
      displayName: sql.placeholder("displayName"),
      realm: "palantir-internal-realm",
      attributes: {},
      active: true,
      origin: "runtime",
      createdAt: sql.placeholder("createdAt"),
    })
    .onConflictDoNothing()
    .prepare();
const servicePrincipalById = (database: FoundryDatabase) =>
  database
    .select({ id: principals.id, active: principals.active })
    .from(principals)
    .where(and(eq(principals.kind, "service"), eq(principals.id, sql.placeholder("id"))))
    .prepare();
