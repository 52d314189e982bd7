import { count, eq, sql } from "drizzle-orm";
import { oauthClients, oauthClientSecrets, type FoundryDatabase } from "@foundry-emulator/db";
import type { GrantType } from "@foundry-emulator/config";

export interface OauthClient {
  clientId: string;
  name: string | null;
  confidential: boolean;
  redirectUris: string[];
  grantTypes: GrantType[];
  allowedScopes: string[];
  /** True for a client accepted because no client is registered at all ("open mode"). */
  open: boolean;
}

const allGrantTypes: GrantType[] = ["authorization_code", "refresh_token", "client_credentials"];

/** Reads registered clients; with none registered, any client id is accepted (open mode). */
export function createClientDirectory(database: FoundryDatabase) {
  const selectClient = database
    .select()
    .from(oauthClients)
    .where(eq(oauthClients.clientId, sql.placeholder("clientId")))
    .prepare();
  const selectSecretHashes = database
    .select({ secretHash: oauthClientSecrets.secretHash })
    .from(oauthClientSecrets)
    .where(eq(oauthClientSecrets.clientId, sql.placeholder("clientId")))
    .prepare();
  const countClients = database.select({ total: count() }).from(oauthClients).prepare();

  function isOpenMode(): boolean {
    return (countClients.get()?.total ?? 0) === 0;
  }

  function find(clientId: string): OauthClient | undefined {
    const row = selectClient.get({ clientId });
    if (row) {
      return {
        clientId: row.clientId,
        name: row.name,
        confidential: row.confidential,
        redirectUris: row.redirectUris,
        grantTypes: row.grantTypes as GrantType[],
        allowedScopes: row.allowedScopes,
        open: false,
      };
    }
    if (isOpenMode()) {
      return { clientId, name: null, confidential: false, redirectUris: [], grantTypes: allGrantTypes, allowedScopes: [], open: true };
    }
    return undefined;
  }

  function secretHashesOf(clientId: string): string[] {
    return selectSecretHashes.all({ clientId }).map((row) => row.secretHash);
  }

  return { find, secretHashesOf, isOpenMode };
}

export type ClientDirectory = ReturnType<typeof createClientDirectory>;
