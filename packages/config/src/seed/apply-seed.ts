import { and, eq, notInArray } from "drizzle-orm";
import { accessTokens, deployedApps, immediateTransaction, oauthClients, oauthClientSecrets, principals, runtimes, type FoundryDatabase } from "@foundry-emulator/db";
import { derivedModuleAuthToken, hashSecret, nameBasedUuid } from "@foundry-emulator/tokens";
import { isServicePrincipal, type SeedDocument, type SeedOauthClient, type SeedUser } from "./seed-schema";

export interface SeedSummary {
  users: number;
  servicePrincipals: number;
  oauthClients: number;
  runtimes: number;
  deployedApps: number;
  personalTokens: number;
}

/** A user's id is derived from its username, so re-seeding a wiped database gives the same ids. */
export const userIdFor = (username: string) => nameBasedUuid("foundry-emulator/user", username);
/** A service principal's id is derived from the client it speaks for (or, without one, its own name). */
export const servicePrincipalIdFor = (clientId: string) => nameBasedUuid("foundry-emulator/service", clientId);

/** The id of a seeded user, human or service principal. */
export const principalIdOfSeedUser = (user: SeedUser) => (isServicePrincipal(user) ? servicePrincipalIdFor(user.oauth_client_id ?? user.username) : userIdFor(user.username));

function isConfidential(client: SeedOauthClient) {
  return Boolean(client.client_secret) || (client.client_secrets?.length ?? 0) > 0;
}

function attributesOf(user: SeedUser): Record<string, string[]> {
  return Object.fromEntries(Object.entries(user.attributes).map(([key, value]) => [key, Array.isArray(value) ? value : [value]]));
}

export interface ApplySeedOptions {
  /**
   * The origin of the rows the seed creates: `seed` for the start-up seed; `runtime` for a seed
   * applied at run time (POST /_emulate/seed), so that a reset removes what it added and goes back
   * to the start-up seed. Rows that already exist keep their origin.
   */
  origin?: "seed" | "runtime";
}

/**
 * Applies a validated seed in one transaction: adds what is missing, updates what the seed owns,
 * and never touches what was created at run time nor deletes anything, so applying the same seed
 * again (a restart) changes nothing.
 */
export function applySeed(database: FoundryDatabase, seed: SeedDocument, now = Date.now(), options: ApplySeedOptions = {}): SeedSummary {
  const origin = options.origin ?? "seed";
  const { users, oauth_clients: clients, compute_modules: computeModules } = seed.foundry;
  return immediateTransaction(database, () => {
    for (const user of users) {
      const values = {
        displayName: user.display_name ?? null,
        email: user.email ?? null,
        givenName: user.given_name ?? null,
        familyName: user.family_name ?? null,
        realm: user.realm,
        organizationRid: user.organization_rid ?? null,
        attributes: attributesOf(user),
        active: user.active,
      };
      if (isServicePrincipal(user)) {
        // Keyed by id (derived from the client): it replaces the principal a first token created.
        database
          .insert(principals)
          .values({ id: principalIdOfSeedUser(user), kind: "service", username: user.username, origin, createdAt: now, ...values })
          .onConflictDoUpdate({ target: principals.id, set: { username: user.username, ...values } })
          .run();
      } else {
        database
          .insert(principals)
          .values({ id: userIdFor(user.username), kind: "user", username: user.username, origin, createdAt: now, ...values })
          .onConflictDoUpdate({ target: [principals.kind, principals.username], set: values })
          .run();
      }
    }
    const seededServiceClients = new Set(users.filter(isServicePrincipal).map((user) => user.oauth_client_id ?? user.username));

    let servicePrincipals = 0;
    for (const client of clients) {
      const confidential = isConfidential(client);
      const values = {
        name: client.name ?? null,
        confidential,
        redirectUris: client.redirect_uris,
        grantTypes: client.grant_types,
        allowedScopes: client.allowed_scopes,
      };
      database
        .insert(oauthClients)
        .values({ clientId: client.client_id, origin, createdAt: now, ...values })
        .onConflictDoUpdate({ target: oauthClients.clientId, set: values })
        .run();

      // The seed owns its secrets: keep the ones still listed, add new ones, drop the rest.
      const secretHashes = [...new Set([client.client_secret, ...(client.client_secrets ?? [])].filter((s): s is string => !!s).map(hashSecret))];
      database
        .delete(oauthClientSecrets)
        .where(
          and(
            eq(oauthClientSecrets.clientId, client.client_id),
            eq(oauthClientSecrets.origin, "seed"),
            secretHashes.length ? notInArray(oauthClientSecrets.secretHash, secretHashes) : undefined,
          ),
        )
        .run();
      for (const secretHash of secretHashes) {
        database
          .insert(oauthClientSecrets)
          .values({ id: nameBasedUuid(`foundry-emulator/secret/${client.client_id}`, secretHash), clientId: client.client_id, secretHash, origin: "seed", createdAt: now })
          .onConflictDoNothing()
          .run();
      }

      if (seededServiceClients.has(client.client_id)) {
        servicePrincipals += 1;
      } else if (confidential && client.grant_types.includes("client_credentials")) {
        // A service principal is its own kind of principal: never the human of the same name.
        database
          .insert(principals)
          .values({
            id: servicePrincipalIdFor(client.client_id),
            kind: "service",
            username: client.client_id,
            displayName: client.name ?? client.client_id,
            realm: "palantir-internal-realm",
            attributes: {},
            active: true,
            origin,
            createdAt: now,
          })
          .onConflictDoUpdate({ target: principals.id, set: { displayName: client.name ?? client.client_id, active: true } })
          .run();
        servicePrincipals += 1;
      }
    }

    for (const runtime of computeModules.runtimes) {
      const moduleAuthToken = runtime.module_auth_token ?? derivedModuleAuthToken(database, runtime.runtime_id);
      const values = {
        displayName: runtime.display_name ?? runtime.runtime_id,
        moduleAuthTokenHash: hashSecret(moduleAuthToken),
        moduleAuthTokenGenerated: runtime.module_auth_token === undefined,
        maxConcurrentTasks: runtime.max_concurrent_tasks,
      };
      database
        .insert(runtimes)
        .values({ id: runtime.runtime_id, origin, createdAt: now, ...values })
        .onConflictDoUpdate({ target: runtimes.id, set: values })
        .run();
    }
    // A deployed app may name a runtime the seed does not list: it is created with a generated
    // token, and one that exists already (a run-time session) is left as it is.
    const listedRuntimes = new Set(computeModules.runtimes.map((runtime) => runtime.runtime_id));
    const impliedRuntimes = [...new Set(computeModules.deployed_apps.map((app) => app.runtime_id).filter((id) => !listedRuntimes.has(id)))];
    for (const runtimeId of impliedRuntimes) {
      database
        .insert(runtimes)
        .values({
          id: runtimeId,
          displayName: runtimeId,
          moduleAuthTokenHash: hashSecret(derivedModuleAuthToken(database, runtimeId)),
          moduleAuthTokenGenerated: true,
          origin,
          createdAt: now,
        })
        .onConflictDoNothing()
        .run();
    }
    for (const app of computeModules.deployed_apps) {
      const values = { runtimeId: app.runtime_id, displayName: app.display_name ?? null, active: app.active };
      database
        .insert(deployedApps)
        .values({ rid: app.deployed_app_rid, branch: app.branch, origin, createdAt: now, ...values })
        .onConflictDoUpdate({ target: [deployedApps.rid, deployedApps.branch], set: values })
        .run();
    }

    const personalTokens = [...seed.foundry.personal_tokens, ...Object.entries(seed.tokens).map(([token, entry]) => ({ token, username: entry.login, scopes: entry.scopes }))];
    const principalIdByUsername = new Map(users.map((user) => [user.username, principalIdOfSeedUser(user)]));
    for (const personalToken of personalTokens) {
      const tokenHash = hashSecret(personalToken.token);
      const principalId = principalIdByUsername.get(personalToken.username)!;
      database
        .insert(accessTokens)
        .values({
          id: nameBasedUuid("foundry-emulator/personal-token", tokenHash),
          kind: "personal",
          principalId,
          scopes: personalToken.scopes,
          tokenHash,
          label: "seed",
          origin,
          issuedAt: now,
          expiresAt: null,
        })
        .onConflictDoUpdate({ target: accessTokens.id, set: { principalId, scopes: personalToken.scopes } })
        .run();
    }

    return {
      users: users.length,
      servicePrincipals,
      oauthClients: clients.length,
      runtimes: computeModules.runtimes.length + impliedRuntimes.length,
      deployedApps: computeModules.deployed_apps.length,
      personalTokens: personalTokens.length,
    };
  });
}
