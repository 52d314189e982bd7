import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { exportJWK, generateKeyPair } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type FoundryDatabase } from "@foundry-emulator/db";
import { loadOrCreateSigningKey, signingAlgorithm, type SigningKey } from "./signing-key";

// refresh() skips the key row while the database is unchanged: these check that a restored key,
// written through this connection or by another one (another process), is still picked up.
describe("signing key refresh", () => {
  let directory: string;
  let path: string;
  let database: FoundryDatabase;
  let key: SigningKey;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "foundry-signing-key-"));
    path = join(directory, "foundry.db");
    database = openDatabase({ path });
    key = await loadOrCreateSigningKey(database);
  });

  afterEach(() => {
    database.$client.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** What a snapshot restore does to the key: another key pair in the same row. */
  async function replaceStoredKey(client: Database.Database): Promise<string> {
    const generated = await generateKeyPair(signingAlgorithm, { extractable: true });
    const publicJwk = JSON.stringify(await exportJWK(generated.publicKey));
    client
      .prepare("UPDATE signing_keys SET private_jwk = ?, public_jwk = ?, created_at = created_at + 1 WHERE id = 'primary'")
      .run(JSON.stringify(await exportJWK(generated.privateKey)), publicJwk);
    return publicJwk;
  }

  const publicJwkOf = async (signingKey: SigningKey) => JSON.stringify(await exportJWK(signingKey.publicKey));

  it("keeps its key while the stored one is unchanged, even across other writes", async () => {
    const before = key.privateKey;
    expect(await key.refresh!()).toBe(false);
    database.$client.exec("CREATE TABLE unrelated (value TEXT); INSERT INTO unrelated VALUES ('x')");
    expect(await key.refresh!()).toBe(false);
    expect(key.privateKey).toBe(before);
  });

  it("follows a key replaced through its own connection (a restore in this process)", async () => {
    expect(await key.refresh!()).toBe(false);
    const keyIdBefore = key.keyId;
    const stored = await replaceStoredKey(database.$client);
    expect(await key.refresh!()).toBe(true);
    expect(await publicJwkOf(key)).toBe(stored);
    expect(key.keyId).not.toBe(keyIdBefore);
    expect(await key.refresh!()).toBe(false);
  });

  it("follows a key replaced by another connection (a restore in another process)", async () => {
    expect(await key.refresh!()).toBe(false);
    const other = new Database(path);
    try {
      const stored = await replaceStoredKey(other);
      expect(await key.refresh!()).toBe(true);
      expect(await publicJwkOf(key)).toBe(stored);
    } finally {
      other.close();
    }
  });
});
