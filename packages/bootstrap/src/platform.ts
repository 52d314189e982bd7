import { applySeed, readSeed, type Environment, type SeedDocument, type SeedSummary, type SeedWarning } from "@foundry-emulator/config";
import { openDatabase, type FoundryDatabase } from "@foundry-emulator/db";
import { createTokenVerifier, issuerFor, loadOrCreateSigningKey, type SigningKey, type TokenVerifier } from "@foundry-emulator/tokens";

/** What every service is built from: configuration, the shared database, keys, and the clock. */
export interface Platform {
  environment: Environment;
  database: FoundryDatabase;
  signingKey: SigningKey;
  issuer: string;
  tokenVerifier: TokenVerifier;
  now: () => number;
  /** The start-up seed, kept so that a reset can re-apply it. */
  seed: SeedDocument | undefined;
  seedSummary: SeedSummary | undefined;
  /** What the start-up seed says in a way that works but should be said otherwise (logged at start). */
  seedWarnings: SeedWarning[];
}

/**
 * Opens the database (migrating it), applies the seed, and loads the signing key. Safe when
 * several processes do it at once on the same file: each step is one IMMEDIATE transaction or an
 * insert-if-absent.
 */
export async function createPlatform(environment: Environment, options: { now?: () => number } = {}): Promise<Platform> {
  const now = options.now ?? Date.now;
  const database = openDatabase({ path: environment.FOUNDRY_DB });
  const parsedSeed = environment.FOUNDRY_SEED ? readSeed(environment.FOUNDRY_SEED) : undefined;
  const seed = parsedSeed?.document;
  const seedSummary = seed ? applySeed(database, seed, now()) : undefined;
  const signingKey = await loadOrCreateSigningKey(database);
  const issuer = issuerFor(environment.FOUNDRY_PUBLIC_URL);
  const tokenVerifier = createTokenVerifier({ database, signingKey, issuer, now });
  return { environment, database, signingKey, issuer, tokenVerifier, now, seed, seedSummary, seedWarnings: parsedSeed?.warnings ?? [] };
}
