import type { FoundryDatabase } from "@foundry-emulator/db";
import { applySeed, type SeedSummary } from "./apply-seed";
import type { SeedDocument } from "./seed-schema";

/**
 * Run-time state, wiped by a reset. Statements run in this order (children before parents);
 * what the seed owns (origin = 'seed') and the emulator's keys and certificates stay.
 */
const wipeStatements = [
  "DELETE FROM authorization_requests",
  "DELETE FROM authorization_codes",
  "DELETE FROM access_tokens WHERE origin = 'runtime'",
  "DELETE FROM refresh_tokens",
  "DELETE FROM grants",
  "DELETE FROM jobs",
  "DELETE FROM function_schemas",
  "DELETE FROM deployed_apps WHERE origin = 'runtime'",
  "DELETE FROM runtimes WHERE origin = 'runtime'",
  "DELETE FROM oauth_client_secrets WHERE origin = 'runtime'",
  "DELETE FROM oauth_clients WHERE origin = 'runtime'",
  "DELETE FROM principals WHERE origin = 'runtime'",
  // Seeded personal tokens revoked at run time come back.
  "UPDATE access_tokens SET revoked_at = NULL WHERE origin = 'seed'",
];

/** Wipes run-time state and re-applies the seed, in one transaction: all or nothing. */
export function resetToSeed(database: FoundryDatabase, seed: SeedDocument | undefined, now = Date.now()): SeedSummary | undefined {
  const reset = database.$client.transaction(() => {
    for (const statement of wipeStatements) database.$client.prepare(statement).run();
    return seed ? applySeed(database, seed, now) : undefined;
  });
  return reset.immediate();
}
