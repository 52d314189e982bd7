import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseSeed, parseSeedText, SeedError } from "./parse-seed";

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
      expect.objectContaining({ deployed_app_rid: "ri.foundry.main.deployed-app.agent-loop", branch: "master", runtime_id: "agent-loop", display_name: "Agent loop" }),
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
      - deployed_app_rid: not-a-rid
        runtime_id: has space
tokens:
  long-enough-token: { login: nobody }
`);
    const paths = problems.map((problem) => problem.path);
    expect(paths).toContain("foundry.users[0]");
    expect(paths).toContain("foundry.users[1].username");
    expect(paths).toContain("foundry.compute_modules.deployed_apps[0].deployed_app_rid");
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

describe("the documented seed format", () => {
  const documented = readFileSync(resolve(import.meta.dirname, "../../../../test/fixtures/seeds/documented-compute-modules.yaml"), "utf8");

  it("takes deployed_apps exactly as documented, display_name included, without a warning", () => {
    const { document, warnings } = parseSeed(documented);
    expect(document.foundry.compute_modules.deployed_apps).toEqual([
      { deployed_app_rid: "ri.foundry.main.deployed-app.agent-loop", branch: "master", runtime_id: "agent-loop", display_name: "Agent Loop", active: true },
    ]);
    expect(document.foundry.compute_modules.runtimes).toEqual([{ runtime_id: "agent-loop", module_auth_token: "local-module-auth-token", max_concurrent_tasks: 1 }]);
    expect(warnings).toEqual([]);
  });

  it("still takes the earlier 'rid', with one warning naming its path and the new key", () => {
    const { document, warnings } = parseSeed(documented.replace("deployed_app_rid:", "rid:"));
    expect(document.foundry.compute_modules.deployed_apps[0]!.deployed_app_rid).toBe("ri.foundry.main.deployed-app.agent-loop");
    expect(warnings).toEqual([{ path: "foundry.compute_modules.deployed_apps[0].rid", message: expect.stringContaining("deployed_app_rid") }]);
  });

  it("refuses both spellings with different values, at the exact path", () => {
    const problems = problemsOf(documented.replace("branch: master", "rid: ri.foundry.main.deployed-app.other\n        branch: master"));
    expect(problems).toEqual([{ path: "foundry.compute_modules.deployed_apps[0].rid", message: expect.stringContaining("disagrees") }]);
    // Both spellings with the same value are one value.
    expect(
      parseSeed(documented.replace("branch: master", "rid: ri.foundry.main.deployed-app.agent-loop\n        branch: master")).document.foundry.compute_modules.deployed_apps,
    ).toHaveLength(1);
  });

  it("needs one of the two spellings", () => {
    expect(problemsOf(documented.replace("- deployed_app_rid: ri.foundry.main.deployed-app.agent-loop\n        ", "- "))).toContainEqual({
      path: "foundry.compute_modules.deployed_apps[0].deployed_app_rid",
      message: "required",
    });
  });

  it("lets a runtime's token be omitted and a deployed app name a runtime that is not listed", () => {
    const { document } = parseSeed(`
foundry:
  compute_modules:
    runtimes:
      - runtime_id: listed
    deployed_apps:
      - deployed_app_rid: ri.foundry.main.deployed-app.unlisted
        runtime_id: unlisted
`);
    expect(document.foundry.compute_modules.runtimes).toEqual([{ runtime_id: "listed", max_concurrent_tasks: 1 }]);
    expect(document.foundry.compute_modules.deployed_apps[0]).toMatchObject({ runtime_id: "unlisted", branch: "master", active: true });
  });

  it("gives a client without grant_types every grant it can use", () => {
    const { document } = parseSeed(`
foundry:
  oauth_clients:
    - client_id: backend
      client_secret: backend-secret
    - client_id: spa
`);
    expect(document.foundry.oauth_clients.map((client) => client.grant_types)).toEqual([
      ["authorization_code", "refresh_token", "client_credentials"],
      ["authorization_code", "refresh_token"],
    ]);
  });

  it("takes users' principal_type and oauth_client_id", () => {
    const { document } = parseSeed(`
foundry:
  users:
    - username: alice
      principal_type: user
    - username: backend-bot
      principal_type: SERVICE
      oauth_client_id: backend
  oauth_clients:
    - client_id: backend
      client_secret: backend-secret
`);
    expect(document.foundry.users.map((user) => [user.principal_type, user.oauth_client_id])).toEqual([
      ["user", undefined],
      ["service", "backend"],
    ]);
    const problems = problemsOf(`
foundry:
  users:
    - username: human
      principal_type: user
      oauth_client_id: backend
    - username: ghost
      oauth_client_id: missing
  oauth_clients:
    - client_id: backend
      client_secret: backend-secret
`);
    expect(problems.map((problem) => problem.path)).toEqual(["foundry.users[0].oauth_client_id", "foundry.users[1].oauth_client_id"]);
    expect(problemsOf("foundry:\n  users:\n    - { username: odd, principal_type: robot }\n")[0]!.path).toBe("foundry.users[0].principal_type");
  });

  it("ignores other emulated services' top-level sections with one warning", () => {
    const { document, warnings } = parseSeed(`${documented}ontology:\n  object_types: []\naip:\n  agents: []\n`);
    expect(document.foundry.compute_modules.runtimes).toHaveLength(1);
    expect(warnings).toEqual([{ path: "(document)", message: expect.stringMatching(/ontology, aip/) }]);
    // Inside foundry: an unknown key is still a mistake.
    expect(problemsOf(`foundry:\n  userz: []\n`)[0]!.path).toBe("foundry");
  });
});
