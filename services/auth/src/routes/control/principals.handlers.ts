import type { Context } from "hono";
import { asc, desc } from "drizzle-orm";
import type { PrincipalSummary } from "@foundry-emulator/contract";
import { principals } from "@foundry-emulator/db";
import type { ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";

/** Principals are few by nature; still bounded, so a runaway seed cannot stall the dashboard. */
const listLimit = 500;

/** GET /_emulate/foundry/principals: users first, then service principals, each by username. */
export const listPrincipalsHandler =
  ({ platform }: AuthDependencies) =>
  (context: Context<ServiceBindings>) => {
    const data: PrincipalSummary[] = platform.database
      .select({
        id: principals.id,
        kind: principals.kind,
        username: principals.username,
        displayName: principals.displayName,
        email: principals.email,
        realm: principals.realm,
        organizationRid: principals.organizationRid,
        active: principals.active,
        origin: principals.origin,
      })
      .from(principals)
      .orderBy(desc(principals.kind), asc(principals.username))
      .limit(listLimit)
      .all();
    context.header("Cache-Control", "no-store");
    return context.json({ data });
  };
