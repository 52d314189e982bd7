import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseSeedText, SeedError } from "./parse-seed";

function problemsOf(text: string) {
  try {
    parseSeedText(text);
  } catch (error) {
    if (error instanceof SeedError) return error.problems;
    throw error;
  }
  throw new Error("the seed was accepted");
}

describe("seed validation", () => {
  it("accepts the shipped default seed", () => {
    const seed = parseSeedText(readFileSync(resolve(import.meta.dirname, "../../../../seeds/default.yaml"), "utf8"));
    expect(seed.foundry.users.filter((user) => user.active).length).toBeGreaterThanOrEqual(2);
    const clients = seed.foundry.oauth_clients;
    expect(clients.some((client) => client.client_secret && client.grant_types.includes("authorization_code"))).toBe(true);
    expect(clients.some((client) => !client.client_secret && client.grant_types.includes("authorization_code"))).toBe(true);
    expect(clients.some((client) => client.grant_types.includes("client_credentials"))).toBe(true);
    expect(seed.foundry.compute_modules.runtimes).toContainEqual(expect.objectContaining({ runtime_id: "agent-loop", module_auth_token: "local-module-auth-token" }));
    expect(seed.foundry.compute_modules.deployed_apps).toContainEqual(
      expect.objectContaining({ rid: "ri.foundry.main.deployed-app.agent-loop", branch: "master", runtime_id: "agent-loop" }),
    );
  });

  it("names the exact path of a bad value", () => {
    const problems = problemsOf(`
foundry:
  oauth_clients:
    - client_id: web
      redirect_uris: [http://localhost/cb, "not a uri"]
`);
    expect(problems).toContainEqual({ path: "foundry.oauth_clients[0].redirect_uris[1]", message: expect.stringContaining("absolute") });
  });

  it("reports every problem at once: unknown keys, duplicates, dangling references", () => {
    const problems = problemsOf(`
foundry:
  users:
    - username: alice
      emali: typo@example.test
    - username: alice
  compute_modules:
    deployed_apps:
      - rid: ri.foundry.main.deployed-app.x
        runtime_id: missing
tokens:
  long-enough-token: { login: nobody }
`);
    const paths = problems.map((problem) => problem.path);
    expect(paths).toContain("foundry.users[0]");
    expect(paths).toContain("foundry.users[1].username");
    expect(paths).toContain("foundry.compute_modules.deployed_apps[0].runtime_id");
    expect(paths).toContain('tokens["long-enough-token"].login');
  });

  it("accepts JSON as well as YAML", () => {
    const seed = parseSeedText(JSON.stringify({ foundry: { users: [{ username: "json-user" }] } }));
    expect(seed.foundry.users[0]).toMatchObject({ username: "json-user", realm: "palantir-internal-realm", active: true });
  });

  it("refuses text that is neither", () => {
    expect(problemsOf("foundry: [unclosed")[0]!.path).toBe("(document)");
  });

  it("requires a secret for client_credentials and a redirect URI for authorization_code", () => {
    const paths = problemsOf(`
foundry:
  oauth_clients:
    - client_id: a
      grant_types: [client_credentials]
    - client_id: b
      grant_types: [authorization_code]
`).map((problem) => problem.path);
    expect(paths).toEqual(["foundry.oauth_clients[0].grant_types", "foundry.oauth_clients[1].redirect_uris"]);
  });
});
