import { readFileSync } from "node:fs";

/**
 * The dashboard's script: dashboard.client.js beside this module, read when the dashboard is first
 * opened. The production bundle has no source files beside it: scripts/build.mjs puts the file's
 * text in this module's place.
 */
export const dashboardScript = readFileSync(new URL("./dashboard.client.js", import.meta.url), "utf8");
