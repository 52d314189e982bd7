import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, principals, type FoundryDatabase } from "@foundry-emulator/db";
import { createTokenVerifier, recordAccessToken, signAccessToken } from "./access-tokens";
import { loadOrCreateSigningKey, type SigningKey } from "./signing-key";

// The verifier keeps verified tokens while the database is unchanged: these check that a change
// made through this connection or by another one (another process) is seen on the next call.
describe("token verifier cache", () => {
  let directory: string;
  let database: FoundryDatabase;
  let signingKey: SigningKey;
  let clock = Date.now();
  const issuer = "http://localhost:8080/multipass";

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "foundry-tokens-"));
    database = openDatabase({ path: join(directory, "foundry.db") });
    signingKey = await loadOrCreateSigningKey(database);
    database
      .insert(principals)
      .values({ id: "00000000-0000-4000-8000-000000000001", kind: "user", username: "alice", realm: "r", attributes: {}, active: true, origin: "runtime", createdAt: clock })
      .run();
  });

  afterEach(() => {
    database.$client.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function issue(ttlSeconds = 3600) {
    const claims = recordAccessToken(database, {
      principalId: "00000000-0000-4000-8000-000000000001",
      organizationRid: null,
      clientId: "app",
      grantId: null,
      scopes: ["api:admin-read"],
      ttlSeconds,
      now: clock,
    });
    return { claims, token: await signAccessToken(signingKey, issuer, claims) };
  }

  it("sees a revocation made through the same connection", async () => {
    const verifier = createTokenVerifier({ database, signingKey, issuer, now: () => clock });
    const { claims, token } = await issue();
    expect((await verifier.verify(token)).ok).toBe(true);
    expect((await verifier.verify(token)).ok).toBe(true);
    database.$client.prepare("UPDATE access_tokens SET revoked_at = ? WHERE id = ?").run(clock, claims.tokenId);
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: "revoked" });
  });

  it("sees a revocation and a deactivation committed by another connection", async () => {
    const verifier = createTokenVerifier({ database, signingKey, issuer, now: () => clock });
    const first = await issue();
    const second = await issue();
    expect((await verifier.verify(first.token)).ok).toBe(true);
    expect((await verifier.verify(second.token)).ok).toBe(true);
    const other = new Database(join(directory, "foundry.db"));
    try {
      other.prepare("UPDATE access_tokens SET revoked_at = ? WHERE id = ?").run(clock, first.claims.tokenId);
      expect(await verifier.verify(first.token)).toEqual({ ok: false, reason: "revoked" });
      expect((await verifier.verify(second.token)).ok).toBe(true);
      other.prepare("UPDATE principals SET active = 0").run();
      expect(await verifier.verify(second.token)).toEqual({ ok: false, reason: "inactive" });
    } finally {
      other.close();
    }
  });

  it("lets a kept token expire on time", async () => {
    const verifier = createTokenVerifier({ database, signingKey, issuer, now: () => clock });
    const { token } = await issue(60);
    expect((await verifier.verify(token)).ok).toBe(true);
    clock += 61_000;
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: "expired" });
  });
});
