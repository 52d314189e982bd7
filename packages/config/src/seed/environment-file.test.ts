import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { environmentFileFor, EnvironmentFileError } from "./environment-file";
import { parseSeedText } from "./parse-seed";

const seedsFolder = resolve(import.meta.dirname, "../../../../seeds");
const seedOf = (name: string) => parseSeedText(readFileSync(resolve(seedsFolder, name), "utf8"), name);

/** Reads a .env block back the way dotenv-style loaders do. */
function parseEnvironmentFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => {
        const [name, ...rest] = line.split("=");
        const value = rest.join("=");
        return [name!, value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value];
      }),
  );
}

describe(".env output", () => {
  it("gives a confidential client's id, secret, host and scopes", () => {
    const variables = parseEnvironmentFile(environmentFileFor(seedOf("default.yaml"), { publicUrl: "http://localhost:8080", clientId: "service-app" }));
    expect(variables).toMatchObject({
      FOUNDRY_HOSTNAME: "localhost:8080",
      FOUNDRY_URL: "http://localhost:8080",
      FOUNDRY_CLIENT_ID: "service-app",
      FOUNDRY_CLIENT_SECRET: "service-app-secret",
      FOUNDRY_SCOPES: "api:admin-read api:read-data api:write-data api:ontologies-read",
    });
  });

  it("uses the newest of several live secrets and gives a personal token", () => {
    const staging = parseEnvironmentFile(environmentFileFor(seedOf("staging.yaml"), { publicUrl: "https://foundry.test", clientId: "orders-backend-staging" }));
    expect(staging.FOUNDRY_CLIENT_SECRET).toBe("orders-backend-staging-secret-2026");
    const dev = parseEnvironmentFile(environmentFileFor(seedOf("dev.yaml"), { publicUrl: "http://localhost:8080", username: "dev.user" }));
    expect(dev.FOUNDRY_TOKEN).toBe("dev-user-personal-token");
  });

  it("names what is missing", () => {
    expect(() => environmentFileFor(seedOf("prod-like.yaml"), { publicUrl: "http://x", clientId: "nope" })).toThrow(EnvironmentFileError);
    expect(() => environmentFileFor(seedOf("prod-like.yaml"), { publicUrl: "http://x", username: "oncall" })).toThrow(/no personal token/);
  });
});

describe("per-environment seeds", () => {
  it("narrow from dev to prod-like: no personal tokens outside dev, one scope per production client", () => {
    const dev = seedOf("dev.yaml");
    const staging = seedOf("staging.yaml");
    const prodLike = seedOf("prod-like.yaml");
    expect(dev.foundry.personal_tokens.length).toBeGreaterThan(0);
    expect(staging.foundry.personal_tokens).toHaveLength(0);
    expect(prodLike.foundry.personal_tokens).toHaveLength(0);
    for (const client of prodLike.foundry.oauth_clients) {
      expect(client.grant_types).toEqual(["client_credentials"]);
      expect(client.allowed_scopes).toHaveLength(1);
    }
    const scopeCount = (seed: typeof dev) => new Set(seed.foundry.oauth_clients.flatMap((client) => client.allowed_scopes)).size;
    expect(scopeCount(dev)).toBeGreaterThan(scopeCount(staging));
    expect(scopeCount(staging)).toBeGreaterThan(scopeCount(prodLike));
  });
});
