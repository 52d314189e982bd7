import { eq } from "drizzle-orm";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { signingKeys, type FoundryDatabase } from "@foundry-emulator/db";

export const signingAlgorithm = "ES256";
const primaryKeyId = "primary";

export interface SigningKey {
  keyId: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
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
  const privateKey = (await importJWK(JSON.parse(row.privateJwk) as JWK, signingAlgorithm)) as CryptoKey;
  const publicKey = (await importJWK(JSON.parse(row.publicJwk) as JWK, signingAlgorithm)) as CryptoKey;
  return { keyId: `${row.id}-${row.createdAt}`, privateKey, publicKey };
}
