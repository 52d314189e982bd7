import type { Context } from "hono";
import type { z } from "zod";
import { type appliedSeedResponseSchema, seedMediaTypes, type seedSummarySchema } from "@foundry-emulator/contract";
import { applySeed, parseSeed, SeedError, type ParsedSeed } from "@foundry-emulator/config";
import { foundryErrors, loggerFor, type ServiceBindings } from "@foundry-emulator/http";
import type { ControlPlaneDependencies } from "./control-plane-dependencies";

/** A constraint SQLite enforces at write time (unique, foreign key, trigger): the state refused the seed. */
function isConstraintError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT");
}

/**
 * POST /_emulate/seed: applies a seed document to the running emulator — adds or updates users,
 * clients, runtimes, bindings and personal tokens — with the start-up seed's validation, in one
 * transaction: an invalid document (400, every problem's exact path) or a write the database
 * refuses (409) changes nothing. What it adds is run-time state (origin `runtime`): it survives a
 * restart, and a reset removes it and goes back to the start-up seed.
 */
export function applySeedHandler({ platform, service }: ControlPlaneDependencies) {
  return async (context: Context<ServiceBindings>) => {
    const mediaType = (context.req.header("Content-Type") ?? "text/plain").split(";")[0]!.trim().toLowerCase();
    if (!(seedMediaTypes as readonly string[]).includes(mediaType)) throw foundryErrors.unsupportedMediaType(mediaType);

    let parsed: ParsedSeed;
    try {
      parsed = parseSeed(await context.req.text(), "the seed");
    } catch (error) {
      if (!(error instanceof SeedError)) throw error;
      const problems = error.problems.length > 0 ? error.problems : [{ path: "(document)", message: error.message }];
      throw foundryErrors.invalidArgument(
        "InvalidSeed",
        { problems },
        `The seed is invalid; nothing was applied: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ")}`,
      );
    }

    let summary: z.infer<typeof seedSummarySchema>;
    try {
      summary = applySeed(platform.database, parsed.document, platform.now(), { origin: "runtime" });
    } catch (error) {
      if (!isConstraintError(error)) throw error;
      throw foundryErrors.conflict("SeedConflict", { code: error.code, reason: error.message }, `The database refused the seed; nothing was applied: ${error.message}`);
    }
    const logger = loggerFor(platform.environment.LOG_LEVEL);
    for (const warning of parsed.warnings) logger.warn({ service, requestId: context.get("requestId"), seed: "POST /_emulate/seed", path: warning.path }, warning.message);
    const body: z.infer<typeof appliedSeedResponseSchema> = { status: "applied", seed: summary, warnings: parsed.warnings };
    return context.json(body);
  };
}
