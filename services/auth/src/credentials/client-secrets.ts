import { and, asc, count, eq } from "drizzle-orm";
import type { ClientSecretSummary } from "@foundry-emulator/contract";
import { immediateTransaction, oauthClients, oauthClientSecrets } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { foundryErrors } from "@foundry-emulator/http";
import { hashSecret, randomSecret } from "@foundry-emulator/tokens";

/** What is shown of a secret: never the value, which only its creator saw once. */

function confidentialClient(platform: Platform, clientId: string) {
  const client = platform.database.select().from(oauthClients).where(eq(oauthClients.clientId, clientId)).get();
  if (!client) throw foundryErrors.notFound("OAuthClientNotFound", { clientId });
  if (!client.confidential) throw foundryErrors.invalidArgument("OAuthClientIsPublic", { clientId }, "A public client has no secrets.");
  return client;
}

export function listClientSecrets(platform: Platform, clientId: string): ClientSecretSummary[] {
  confidentialClient(platform, clientId);
  return platform.database
    .select()
    .from(oauthClientSecrets)
    .where(eq(oauthClientSecrets.clientId, clientId))
    .orderBy(asc(oauthClientSecrets.createdAt))
    .all()
    .map((row) => ({ secretId: row.id, origin: row.origin, createdAt: new Date(row.createdAt).toISOString() }));
}

/** Adds a live secret beside the existing ones (rotation step 1); the value is returned once. */
export function addClientSecret(platform: Platform, clientId: string): ClientSecretSummary & { clientSecret: string } {
  confidentialClient(platform, clientId);
  const clientSecret = randomSecret();
  const row = { id: crypto.randomUUID(), clientId, secretHash: hashSecret(clientSecret), origin: "runtime" as const, createdAt: platform.now() };
  platform.database.insert(oauthClientSecrets).values(row).run();
  return { secretId: row.id, origin: row.origin, createdAt: new Date(row.createdAt).toISOString(), clientSecret };
}

/**
 * Removes a secret (rotation's last step): token requests with it fail from now on, while tokens
 * already issued with it stay valid until they expire. The last secret cannot be removed, since a
 * confidential client without one could never authenticate.
 */
export function removeClientSecret(platform: Platform, clientId: string, secretId: string): void {
  confidentialClient(platform, clientId);
  immediateTransaction(platform.database, () => {
    const remaining = platform.database.select({ total: count() }).from(oauthClientSecrets).where(eq(oauthClientSecrets.clientId, clientId)).get()?.total ?? 0;
    const removed = platform.database
      .delete(oauthClientSecrets)
      .where(and(eq(oauthClientSecrets.clientId, clientId), eq(oauthClientSecrets.id, secretId)))
      .run().changes;
    if (removed === 0) throw foundryErrors.notFound("OAuthClientSecretNotFound", { clientId, secretId });
    if (remaining <= 1) throw foundryErrors.invalidArgument("LastClientSecret", { clientId, secretId }, "Add the new secret before removing the last one.");
  });
}
