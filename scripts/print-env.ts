// `npm run env -- [--client <id>] [--user <username>] [--runtime <id>] [--seed <file>] [--url <public URL>]`
// Prints a ready .env block for a seeded client, a user's personal token or a compute-module runtime.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  EnvironmentFileError,
  SeedError,
  environmentFileFor,
  loadEnvironment,
  moduleAuthTokenSourceOf,
  readSeed,
  runtimeEnvironmentBlock,
  type Environment,
  type SeedDocument,
} from "@foundry-emulator/config";
import { openDatabase } from "@foundry-emulator/db";
import { derivedModuleAuthToken } from "@foundry-emulator/tokens";
import { tlsMaterialFor } from "@foundry-emulator/tls";
import { runtimeEndpoints } from "@foundry-emulator/compute";

const { values } = parseArgs({
  options: {
    client: { type: "string" },
    user: { type: "string" },
    runtime: { type: "string" },
    seed: { type: "string" },
    url: { type: "string" },
    "files-directory": { type: "string" },
  },
});

/**
 * A runtime's block. A generated token is derived from the emulator's database (FOUNDRY_DB), which
 * must exist: the emulator creates the key on its first start.
 */
function runtimeBlock(seed: SeedDocument, environment: Environment, runtimeId: string, publicUrl: string): string {
  const source = moduleAuthTokenSourceOf(seed, runtimeId);
  const needsDatabase = source.kind === "generated" || environment.FOUNDRY_TLS_PORT !== undefined;
  if (needsDatabase && (environment.FOUNDRY_DB === ":memory:" || !existsSync(environment.FOUNDRY_DB))) {
    throw new EnvironmentFileError(
      `runtime '${runtimeId}': its ${source.kind === "generated" ? "generated token" : "CA"} lives in the emulator's database, and there is none at ${environment.FOUNDRY_DB} (start the emulator once, or set FOUNDRY_DB)`,
    );
  }
  const database = needsDatabase ? openDatabase({ path: environment.FOUNDRY_DB }) : undefined;
  try {
    const moduleAuthToken = source.kind === "seed" ? source.token : derivedModuleAuthToken(database!, runtimeId);
    const maxConcurrentTasks = seed.foundry.compute_modules.runtimes.find((runtime) => runtime.runtime_id === runtimeId)?.max_concurrent_tasks ?? 1;
    const endpoints = runtimeEndpoints({
      environment,
      tls: environment.FOUNDRY_TLS_PORT !== undefined ? tlsMaterialFor(database!, environment) : undefined,
      runtimeId,
      moduleAuthToken,
      filesDirectory: values["files-directory"] ?? "/tmp/compute-module",
      maxConcurrentTasks,
      publicUrl,
    });
    return runtimeEnvironmentBlock(runtimeId, endpoints.environment, moduleAuthToken);
  } finally {
    database?.$client.close();
  }
}

try {
  const environment = loadEnvironment();
  const seedPath = values.seed ?? environment.FOUNDRY_SEED;
  if (!seedPath) throw new EnvironmentFileError("no seed: set FOUNDRY_SEED or pass --seed <file>");
  const { document: seed, warnings } = readSeed(seedPath);
  for (const warning of warnings) console.error(`foundry-emulator env: ${seedPath}: ${warning.path}: ${warning.message}`);
  const publicUrl = (values.url ?? environment.FOUNDRY_PUBLIC_URL).replace(/\/+$/, "");
  const blocks: string[] = [];
  if (values.client || values.user || !values.runtime) blocks.push(environmentFileFor(seed, { publicUrl, clientId: values.client, username: values.user }));
  if (values.runtime) blocks.push(runtimeBlock(seed, environment, values.runtime, publicUrl));
  process.stdout.write(blocks.join("\n"));
} catch (error) {
  if (error instanceof EnvironmentFileError || error instanceof SeedError) {
    console.error(`foundry-emulator env: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
