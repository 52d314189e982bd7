// The compose gateway's nginx template is rendered from the route table and committed; this test
// re-renders it, so a change to the table (or the renderer) without `npm run render:nginx` fails.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadEnvironment } from "@foundry-emulator/config";
import { routeTable, serviceForPath } from "@foundry-emulator/gateway";
import {
  composeNginxOptions,
  defaultService,
  oauthPrefix,
  renderNginxConfig,
  resultUploadExamplePath,
  resultUploadPattern,
} from "../../services/gateway/src/nginx/render-nginx-config";
import { composeNginxTemplatePath } from "../../services/gateway/src/nginx/paths";
import { parse as parseYaml } from "yaml";
import { repositoryRoot } from "../support/emulator";

const committed = readFileSync(composeNginxTemplatePath, "utf8");
const defaults = loadEnvironment({});

/** `location ^~ <prefix> {` followed by its proxy_pass → the service it names. */
function routedPrefixes(config: string): Map<string, string> {
  const routed = new Map<string, string>();
  for (const match of config.matchAll(/^ {4}location \^~ (\S+) \{\n\s+proxy_pass \$foundry_(\w+)_upstream;/gm)) routed.set(match[1]!, match[2]!);
  return routed;
}

describe("the compose gateway's nginx template", () => {
  it("is what the route table renders (run `npm run render:nginx` after changing it)", () => {
    expect(committed).toBe(renderNginxConfig(composeNginxOptions()));
  });

  it("routes every prefix of the table to its service, and the rest where the all-in-one does", () => {
    const routed = routedPrefixes(committed);
    expect(Object.fromEntries(routed)).toEqual(Object.fromEntries(routeTable.map((entry) => [entry.prefix, entry.service])));
    expect(serviceForPath("/no-such-prefix")).toBeUndefined();
    expect(committed).toMatch(new RegExp(`location / \\{\\n\\s+proxy_pass \\$foundry_${defaultService}_upstream;`));
  });

  it("puts the larger result limit exactly on the module's result route", () => {
    expect(new RegExp(resultUploadPattern).test(resultUploadExamplePath)).toBe(true);
    expect(serviceForPath(resultUploadExamplePath)).toBe("compute");
    for (const path of ["/_emulate/foundry/compute-modules/runtimes", "/_emulate/foundry/compute-modules/runtimes/a/job", "/_emulate/foundry/compute-modules/runtimes/a/schemas"]) {
      expect(new RegExp(resultUploadPattern).test(path)).toBe(false);
    }
    expect(serviceForPath(oauthPrefix)).toBe("auth");
  });

  it("waits longer than the emulator holds requests, and takes its limits from the environment", () => {
    const { readTimeoutSeconds } = composeNginxOptions();
    expect(readTimeoutSeconds * 1000).toBeGreaterThan(Math.max(defaults.FOUNDRY_JOB_POLL_WAIT_MS, defaults.FOUNDRY_SYNC_EXECUTE_TIMEOUT_MS));
    expect(committed).toContain(`proxy_read_timeout ${readTimeoutSeconds}s;`);
    expect(committed).toContain("proxy_buffering off;");
    expect(committed).toContain("proxy_request_buffering off;");
    expect(committed).toContain("client_max_body_size ${FOUNDRY_MAX_BODY_BYTES};");
    expect(committed).toContain("client_max_body_size ${FOUNDRY_MAX_RESULT_BYTES};");
    expect(committed).toContain("client_max_body_size ${FOUNDRY_MAX_SNAPSHOT_BYTES};");
    for (const header of ["X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-For"]) {
      expect(committed).toContain(`proxy_set_header ${header} `);
    }
  });
});

describe("docker-compose.yml", () => {
  const compose = readFileSync(join(repositoryRoot, "docker-compose.yml"), "utf8");
  const document = parseYaml(compose, { merge: true }) as {
    name?: string;
    services: Record<string, { environment?: Record<string, string>; volumes?: string[]; healthcheck?: Record<string, unknown>; profiles?: string[] }>;
  };

  it("gives the gateway the emulator's own body limits, and mounts the rendered template", () => {
    expect(compose).toContain(`FOUNDRY_MAX_BODY_BYTES: \${FOUNDRY_MAX_BODY_BYTES:-${defaults.FOUNDRY_MAX_BODY_BYTES}}`);
    expect(compose).toContain(`FOUNDRY_MAX_RESULT_BYTES: \${FOUNDRY_MAX_RESULT_BYTES:-${defaults.FOUNDRY_MAX_RESULT_BYTES}}`);
    expect(compose).toContain(`FOUNDRY_MAX_SNAPSHOT_BYTES: \${FOUNDRY_MAX_SNAPSHOT_BYTES:-${defaults.FOUNDRY_MAX_SNAPSHOT_BYTES}}`);
    for (const service of ["auth", "compute", "gateway"]) {
      expect(Object.keys(document.services[service]!.environment!)).toEqual(
        expect.arrayContaining(["FOUNDRY_MAX_BODY_BYTES", "FOUNDRY_MAX_RESULT_BYTES", "FOUNDRY_MAX_SNAPSHOT_BYTES"]),
      );
    }
    const template = composeNginxTemplatePath.slice(repositoryRoot.length + 1).replace(/\/default\.conf\.template$/, "");
    expect(document.services.gateway!.volumes).toContain(`./${template}:/etc/nginx/templates:ro`);
  });

  it("stays readable by docker-compose v1.29: no top-level name, no healthcheck start_interval", () => {
    expect(document.name).toBeUndefined();
    for (const [name, service] of Object.entries(document.services)) {
      if (service.healthcheck) expect({ name, keys: Object.keys(service.healthcheck).sort() }).toEqual({ name, keys: ["interval", "retries", "start_period", "test", "timeout"] });
    }
  });

  it("wires the example module to the seeded runtime through the gateway", () => {
    const module = document.services["example-module"]!;
    expect(module.profiles).toEqual(["module"]);
    const runtime = "http://gateway:8080/_emulate/foundry/compute-modules/runtimes/agent-loop";
    expect(module.environment).toMatchObject({
      GET_JOB_URI: `${runtime}/job`,
      POST_RESULT_URI: `${runtime}/results`,
      POST_SCHEMA_URI: `${runtime}/schemas`,
      MODULE_AUTH_TOKEN_VALUE: "local-module-auth-token",
    });
    const seed = readFileSync(join(repositoryRoot, "seeds/default.yaml"), "utf8");
    expect(seed).toMatch(/runtime_id: agent-loop\n\s+module_auth_token: local-module-auth-token/);
  });
});
