// `npm run render:nginx`: writes the compose gateway's nginx template from the route table.
// `npm run render:nginx -- --check` exits 1 when the committed file is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { composeNginxOptions, renderNginxConfig } from "./render-nginx-config";
import { composeNginxTemplatePath } from "./paths";

const rendered = renderNginxConfig(composeNginxOptions());
const shown = relative(process.cwd(), composeNginxTemplatePath);
if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(composeNginxTemplatePath, "utf8");
  } catch {
    // missing counts as out of date
  }
  if (committed !== rendered) {
    console.error(`${shown} is out of date: run npm run render:nginx`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else {
  writeFileSync(composeNginxTemplatePath, rendered);
  console.log(`wrote ${shown}`);
}
