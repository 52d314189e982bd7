import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { derivationKeys, type FoundryDatabase } from "@foundry-emulator/db";
import { randomSecret } from "./secrets";

const moduleAuthTokenKey = "module-auth-token";

/**
 * The database's own random key for one use, created on first need. Concurrent first uses by two
 * processes agree: the insert keeps whichever key was written first.
 */
function derivationKeyOf(database: FoundryDatabase, id: string): string {
  database.insert(derivationKeys).values({ id, key: randomSecret(), createdAt: Date.now() }).onConflictDoNothing().run();
  return database.select({ key: derivationKeys.key }).from(derivationKeys).where(eq(derivationKeys.id, id)).get()!.key;
}

/**
 * The module auth token of a runtime whose seed gave none: an HMAC of the runtime id under the
 * database's key. Only its digest is stored, like every token, yet the dashboard and `npm run env`
 * can show it again, and it stays the same across restarts and re-seeding of the same database.
 */
export function derivedModuleAuthToken(database: FoundryDatabase, runtimeId: string): string {
  return createHmac("sha256", derivationKeyOf(database, moduleAuthTokenKey)).update(`runtime/${runtimeId}`).digest("base64url");
}
