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
    for (const header of ["X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-For"]) {
      expect(committed).toContain(`proxy_set_header ${header} `);
    }
  });
});
