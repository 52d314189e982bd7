// Production build: one self-contained ESM bundle per role (`npm run build`).
//
//   services/gateway/src/main.ts → dist/all.mjs      (the all-in-one emulator)
//   services/auth/src/main.ts    → dist/auth.mjs
//   services/compute/src/main.ts → dist/compute.mjs
//
// Everything is bundled except native modules (better-sqlite3 and its loader), which the image
// installs from the lockfile. The bundles expect the repository layout beside them:
// `../migrations` (found through FOUNDRY_MIGRATIONS, defaulted by the banner below) and `../seeds`.
import { build } from "esbuild";
import { readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");

export const entries = {
  all: "services/gateway/src/main.ts",
  auth: "services/auth/src/main.ts",
  compute: "services/compute/src/main.ts",
  // `docker run <image> env --client <id>`: the .env block of a seeded client.
  env: "scripts/print-env.ts",
};

/** Packages that load compiled addons (or locate files next to themselves) stay in node_modules. */
export const externalPackages = ["better-sqlite3", "bindings", "file-uri-to-path"];

// ESM bundles of CommonJS dependencies need `require`, `__filename` and `__dirname`. The bundled
// packages/db resolves its migrations folder from its own source location, which a bundle does not
// keep: default FOUNDRY_MIGRATIONS to the migrations folder beside dist/ (an explicit value wins).
const banner = [
  'import { createRequire as __foundryCreateRequire } from "node:module";',
  'import { fileURLToPath as __foundryFileURLToPath } from "node:url";',
  'import { basename as __foundryBasename, dirname as __foundryDirname, join as __foundryJoin } from "node:path";',
  "const require = __foundryCreateRequire(import.meta.url);",
  "const __filename = __foundryFileURLToPath(import.meta.url);",
  "const __dirname = __foundryDirname(__filename);",
  // This file is dist/<role>.mjs or dist/chunks/<chunk>.mjs.
  'process.env.FOUNDRY_MIGRATIONS ||= __foundryJoin(__dirname, __foundryBasename(__dirname) === "chunks" ? "../.." : "..", "migrations");',
].join("\n");

/**
 * zod's `z.locales` namespace re-exports its 60-odd translations of the error messages (some 350 KB
 * of the bundle) and esbuild cannot drop a namespace's members, so every process would parse and
 * keep them. The emulator only uses the English messages zod installs itself (it imports
 * locales/en.js directly): the namespace is built with `en` alone. `z.locales.fr` and the like would
 * be undefined in the bundles; nothing here uses them.
 */
const zodEnglishLocaleOnly = {
  name: "zod-english-locale-only",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(importer) ? { path: join(dirname(importer), "../locales/en.js"), namespace: "zod-locales" } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: "zod-locales" }, ({ path }) => ({
      contents: `export { default as en } from ${JSON.stringify(path)};`,
      resolveDir: dirname(path),
    }));
  },
};

/**
 * The dashboard's script is a static file its module reads beside itself
 * (services/auth/src/views/dashboard/dashboard-script.ts reads dashboard.client.js); dist/ has no
 * source files, so the bundle gets the file's text in that module's place.
 */
const dashboardScriptInline = {
  name: "dashboard-script-inline",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]views[\\/]dashboard[\\/]dashboard-script\.ts$/ }, ({ path }) => ({
      contents: `export const dashboardScript = ${JSON.stringify(readFileSync(join(dirname(path), "dashboard.client.js"), "utf8"))};`,
      loader: "js",
    }));
  },
};

const started = Date.now();
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, join(root, entry)])),
  outdir,
  outExtension: { ".js": ".mjs" },
  // The three entries share almost all their code: one copy in dist/chunks/.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: externalPackages,
  banner: { js: banner },
  // Minified: V8 keeps every loaded module's source text for the life of the process, and the
  // start-up chunks drop from 1.4 MB to 0.6 MB (0.76 MiB less heap at idle, measured). Stack traces
  // then name minified functions; the linked source maps turn them back into source positions
  // with NODE_OPTIONS=--enable-source-maps.
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  metafile: true,
  plugins: [zodEnglishLocaleOnly, dashboardScriptInline],
  logLevel: "warning",
});

/**
 * V8 keeps a module's source text for as long as the module lives, and one character above U+00FF
 * anywhere in it makes the whole text a two-byte string: twice the memory for every chunk loaded at
 * start-up. Minifying drops the comments (where a dependency's em dash once did this to a 1.2 MB
 * chunk) and esbuild escapes such characters in strings, identifiers and untagged templates, but
 * not in tagged templates, whose raw text the tag may read: anything left is reported below, so
 * that it can be moved to a lazily loaded module or written as an escape.
 */
const outputs = Object.entries(result.metafile.outputs).filter(([output]) => output.endsWith(".mjs"));
// What start-up loads: the entries and the chunks they import statically. Dynamically imported
// modules (loaded on first use) are entry points in the metafile too, but not ours.
const startupChunks = new Set();
const pending = outputs.filter(([, info]) => Object.values(entries).includes(info.entryPoint)).map(([output]) => output);
while (pending.length > 0) {
  const output = pending.pop();
  if (startupChunks.has(output)) continue;
  startupChunks.add(output);
  for (const imported of result.metafile.outputs[output]?.imports ?? []) if (imported.kind === "import-statement" && !imported.external) pending.push(imported.path);
}
for (const output of startupChunks) {
  const lines = readFileSync(join(root, output), "utf8").split("\n");
  // Minified lines are long: show the text around the character.
  const wide = lines.flatMap((line, index) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at U+0000 on purpose (anything above U+00FF).
    const at = line.search(/[^\x00-\xff]/);
    return at < 0 ? [] : [`  ${relative(root, join(root, output))}:${index + 1}:${at + 1}: ${line.slice(Math.max(0, at - 50), at + 50)}`];
  });
  if (wide.length > 0) console.warn(`warning: characters above U+00FF in code loaded at start-up (the chunk's source is held as a two-byte string):\n${wide.join("\n")}`);
}

for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith(".mjs"))) {
  const size = statSync(join(root, output)).size;
  console.log(`${relative(root, join(root, output))}  ${(size / 1024).toFixed(0)} KiB`);
}
console.log(`built in ${Date.now() - started} ms`);
