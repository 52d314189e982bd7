import { eq } from "drizzle-orm";
import {
  accessTokens,
  authorizationCodes,
  authorizationRequests,
  deployedApps,
  functionSchemas,
  grants,
  immediateTransaction,
  jobs,
  oauthClientSecrets,
  oauthClients,
  principals,
  refreshTokens,
  runtimes,
  type FoundryDatabase,
} from "@foundry-emulator/db";
import { applySeed, type SeedSummary } from "./apply-seed";
import type { SeedDocument } from "./seed-schema";

/**
 * Run-time state, wiped by a reset. Statements run in this order (children before parents);
 * what the seed owns (origin = 'seed') and the emulator's keys and certificates stay.
 */
const wipeStatements = (database: FoundryDatabase) => [
  database.delete(authorizationRequests),
  database.delete(authorizationCodes),
  database.delete(accessTokens).where(eq(accessTokens.origin, "runtime")),
  database.delete(refreshTokens),
  database.delete(grants),
  database.delete(jobs),
  database.delete(functionSchemas),
  database.delete(deployedApps).where(eq(deployedApps.origin, "runtime")),
  database.delete(runtimes).where(eq(runtimes.origin, "runtime")),
  database.delete(oauthClientSecrets).where(eq(oauthClientSecrets.origin, "runtime")),
  database.delete(oauthClients).where(eq(oauthClients.origin, "runtime")),
  database.delete(principals).where(eq(principals.origin, "runtime")),
  // Seeded personal tokens revoked at run time come back.
  database.update(accessTokens).set({ revokedAt: null }).where(eq(accessTokens.origin, "seed")),
];

/** Wipes run-time state and re-applies the seed, in one transaction: all or nothing. */
export function resetToSeed(database: FoundryDatabase, seed: SeedDocument | undefined, now = Date.now()): SeedSummary | undefined {
  return immediateTransaction(database, () => {
    for (const statement of wipeStatements(database)) statement.run();
    return seed ? applySeed(database, seed, now) : undefined;
  });
}
