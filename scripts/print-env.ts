// `npm run env -- --client <id> [--user <username>] [--seed <file>] [--url <public URL>]`
// Prints a ready .env block for a seeded client or a user's personal token.
import { parseArgs } from "node:util";
import { EnvironmentFileError, SeedError, environmentFileFor, loadEnvironment, readSeedFile } from "@foundry-emulator/config";

const { values } = parseArgs({
  options: {
    client: { type: "string" },
    user: { type: "string" },
    seed: { type: "string" },
    url: { type: "string" },
  },
});

try {
  const environment = loadEnvironment();
  const seedPath = values.seed ?? environment.FOUNDRY_SEED;
  if (!seedPath) throw new EnvironmentFileError("no seed: set FOUNDRY_SEED or pass --seed <file>");
  process.stdout.write(
    environmentFileFor(readSeedFile(seedPath), { publicUrl: (values.url ?? environment.FOUNDRY_PUBLIC_URL).replace(/\/+$/, ""), clientId: values.client, username: values.user }),
  );
} catch (error) {
  if (error instanceof EnvironmentFileError || error instanceof SeedError) {
    console.error(`foundry-emulator env: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
