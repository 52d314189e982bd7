import { count, eq, sql } from "drizzle-orm";
import { oauthClients, oauthClientSecrets, type FoundryDatabase } from "@foundry-emulator/db";
import type { GrantType } from "@foundry-emulator/config";
import { createStampedCache } from "./stamped-cache";

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

/** A client as the token endpoint authenticates it: shared between requests, so read-only. */
export interface RegisteredClient {
  client: OauthClient;
  /** SHA-256 digests of its live secrets. */
  secretHashes: readonly string[];
}

/**
 * Reads registered clients; with none registered, any client id is accepted (open mode). Lookups
 * are cached on the database's state stamp (see createStampedCache): a client or secret added,
 * rotated or removed, by this process or another, is seen by the next request.
 */
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

  function read(clientId: string): RegisteredClient | undefined {
    const client = readClient(clientId);
    return client && { client, secretHashes: client.open ? [] : selectSecretHashes.all({ clientId }).map((row) => row.secretHash) };
  }

  function readClient(clientId: string): OauthClient | undefined {
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

  const cached = createStampedCache<RegisteredClient | undefined>(database);
  /** The client and its secret hashes, or undefined for an unknown client. */
  const lookup = (clientId: string) => cached(clientId, () => read(clientId));
  const find = (clientId: string) => lookup(clientId)?.client;

  return { lookup, find, isOpenMode };
}

export type ClientDirectory = ReturnType<typeof createClientDirectory>;
