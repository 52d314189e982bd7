import { eq, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { runtimes, type FoundryDatabase } from "@foundry-emulator/db";
import type { ServiceBindings } from "@foundry-emulator/http";
import { hashSecret, randomSecret, secretMatchesHash } from "@foundry-emulator/tokens";
import { computeErrors } from "../../wire/errors";

export type RuntimeRow = typeof runtimes.$inferSelect;

export interface RuntimeBindings {
  Variables: ServiceBindings["Variables"] & { runtime: RuntimeRow };
}

/** Compared against when the runtime does not exist, so both failures cost the same. */
const absentRuntimeHash = hashSecret(randomSecret());

/**
 * Requires the runtime's `Module-Auth-Token`, compared in constant time. A missing header, a wrong
 * token and an unknown runtime all get the same 401, so the answer never tells whether a runtime
 * exists.
 */
export function requireModuleAuthToken(database: FoundryDatabase) {
  const runtimeById = database
    .select()
    .from(runtimes)
    .where(eq(runtimes.id, sql.placeholder("id")))
    .prepare();
  return createMiddleware<RuntimeBindings>(async (context, next) => {
    const runtimeId = context.req.param("runtimeId") ?? "";
    const presented = context.req.header("Module-Auth-Token") ?? "";
    const runtime = runtimeById.get({ id: runtimeId });
    const matches = secretMatchesHash(presented, runtime?.moduleAuthTokenHash ?? absentRuntimeHash);
    if (!runtime || !matches || presented.length === 0) throw computeErrors.moduleAuthTokenInvalid();
    context.set("runtime", runtime);
    await next();
  });
}
