import { eq } from "drizzle-orm";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { databaseStampReader, sameStamp, signingKeys, type DatabaseStamp, type FoundryDatabase } from "@foundry-emulator/db";

export const signingAlgorithm = "ES256";
const primaryKeyId = "primary";

export interface SigningKey {
  keyId: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /**
   * Re-reads the key row and, when it is no longer the key this object holds (a snapshot was
   * restored, by this process or another one sharing the file), loads the stored key into this
   * object. Signing and verification call it first, so every process follows a restore. Resolves
   * true when the key changed.
   */
  refresh?: () => Promise<boolean>;
}

/**
 * Loads the signing key from the database, creating it on first start. INSERT OR IGNORE then
 * read back: when two processes start together, both end up with the one key that won.
 */
export async function loadOrCreateSigningKey(database: FoundryDatabase): Promise<SigningKey> {
  let row = database.select().from(signingKeys).where(eq(signingKeys.id, primaryKeyId)).get();
  if (!row) {
    const generated = await generateKeyPair(signingAlgorithm, { extractable: true });
    const privateJwk = await exportJWK(generated.privateKey);
    const publicJwk = await exportJWK(generated.publicKey);
    database
      .insert(signingKeys)
      .values({
        id: primaryKeyId,
        algorithm: signingAlgorithm,
        privateJwk: JSON.stringify(privateJwk),
        publicJwk: JSON.stringify(publicJwk),
        createdAt: Date.now(),
      })
      .onConflictDoNothing()
      .run();
    row = database.select().from(signingKeys).where(eq(signingKeys.id, primaryKeyId)).get()!;
  }
  const key: SigningKey = await importSigningKey(row);
  let loadedPublicJwk = row.publicJwk;
  const selectStoredKey = database.select().from(signingKeys).where(eq(signingKeys.id, primaryKeyId)).prepare();
  // The database's state stamp (see createTokenVerifier) when the stored key was last found to be
  // the loaded one: a restore, here or in another process, is a commit, so it changes the stamp.
  // Every signature calls refresh; while nothing was written, it costs the stamp alone.
  const readStamp = databaseStampReader(database.$client);
  let confirmedAt: DatabaseStamp | undefined;
  key.refresh = async () => {
    const stamp = readStamp();
    if (confirmedAt && sameStamp(stamp, confirmedAt)) return false;
    const stored = selectStoredKey.get();
    // No row (a database wiped by hand): keep signing with the key already loaded.
    if (!stored || stored.publicJwk === loadedPublicJwk) {
      confirmedAt = stamp;
      return false;
    }
    const reloaded = await importSigningKey(stored);
    if (stored.publicJwk === loadedPublicJwk) return false; // another caller loaded it meanwhile
    Object.assign(key, reloaded);
    loadedPublicJwk = stored.publicJwk;
    confirmedAt = stamp;
    return true;
  };
  return key;
}

async function importSigningKey(row: typeof signingKeys.$inferSelect): Promise<SigningKey> {
  const privateKey = (await importJWK(JSON.parse(row.privateJwk) as JWK, signingAlgorithm)) as CryptoKey;
  const publicKey = (await importJWK(JSON.parse(row.publicJwk) as JWK, signingAlgorithm)) as CryptoKey;
  return { keyId: `${row.id}-${row.createdAt}`, privateKey, publicKey };
}
