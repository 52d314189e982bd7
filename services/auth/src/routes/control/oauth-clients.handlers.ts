import type { Context } from "hono";
import { asc, eq } from "drizzle-orm";
import type { OauthClientSummary } from "@foundry-emulator/contract";
import { oauthClients, oauthClientSecrets } from "@foundry-emulator/db";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";

/** Clients are few by nature; still bounded, so a runaway seed cannot stall the dashboard. */
const listLimit = 500;

/** GET /_emulate/foundry/oauth-clients: each registration and how many live secrets it has (never a secret). */
export const listOauthClientsHandler =
  ({ platform }: AuthDependencies) =>
  (context: Context<ServiceBindings>) => {
    const { database } = platform;
    const data: OauthClientSummary[] = database
      .select({
        clientId: oauthClients.clientId,
        name: oauthClients.name,
        confidential: oauthClients.confidential,
        redirectUris: oauthClients.redirectUris,
        grantTypes: oauthClients.grantTypes,
        allowedScopes: oauthClients.allowedScopes,
        origin: oauthClients.origin,
        secretCount: database.$count(oauthClientSecrets, eq(oauthClientSecrets.clientId, oauthClients.clientId)),
      })
      .from(oauthClients)
      .orderBy(asc(oauthClients.clientId))
      .limit(listLimit)
      .all();
    context.header("Cache-Control", "no-store");
    return context.json({ data });
  };
