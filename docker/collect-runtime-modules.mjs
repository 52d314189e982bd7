// Build-stage helper: copies into <target>/node_modules only what the bundles in dist/ load at
// run time — the packages scripts/build.mjs leaves external (native ones) and their production
// dependencies — pruned to the files they read (better-sqlite3: lib/ and the compiled addon).
//   node docker/collect-runtime-modules.mjs <source node_modules> <target node_modules>
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const [source, target] = process.argv.slice(2);
if (!source || !target) {
  console.error("usage: collect-runtime-modules.mjs <source node_modules> <target node_modules>");
  process.exit(2);
}

/** Loaded by the bundles at run time (keep in step with externalPackages in scripts/build.mjs). */
const roots = ["better-sqlite3"];
/** Dependencies used only while installing (downloading a prebuilt addon), never at run time. */
const installTimeOnly = new Set(["prebuild-install"]);
/** Per package: the only paths kept. Packages not listed are copied whole. */
const keep = {
  "better-sqlite3": ["package.json", "LICENSE", "lib", "build/Release/better_sqlite3.node"],
};

const seen = new Set();
const queue = [...roots];
while (queue.length > 0) {
  const name = queue.shift();
  if (seen.has(name) || installTimeOnly.has(name)) continue;
  seen.add(name);
  const from = join(source, name);
  const manifest = JSON.parse(readFileSync(join(from, "package.json"), "utf8"));
  const to = join(target, name);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  const paths = keep[name] ?? readdirSync(from).filter((entry) => entry !== "node_modules");
  for (const path of paths) {
    if (!existsSync(join(from, path))) throw new Error(`${name}: ${path} is missing (was the addon compiled?)`);
    cpSync(join(from, path), join(to, path), { recursive: true });
  }
  queue.push(...Object.keys(manifest.dependencies ?? {}));
  console.log(`${name}@${manifest.version}`);
}
