// The layout's rules, checked on the sources: no service imports another (the gateway composes
// them), no package imports a service, and no module imports itself back through others.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repositoryRoot } from "./support/emulator";

function sourcesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourcesUnder(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

const files = ["packages", "services"].flatMap((top) => sourcesUnder(join(repositoryRoot, top)));
const known = new Set(files);
const workspaceEntry = (name: string) =>
  [join(repositoryRoot, "packages", name, "src/index.ts"), join(repositoryRoot, "services", name, "src/index.ts")].find((path) => known.has(path));

/** Every module a file imports (relative or a workspace package's entry), types included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gm)].flatMap(([, specifier]) => {
    if (specifier!.startsWith(".")) {
      const base = join(dirname(file), specifier!);
      return [`${base}.ts`, join(base, "index.ts")].filter((path) => known.has(path)).slice(0, 1);
    }
    const workspace = /^@foundry-emulator\/([^/]+)$/.exec(specifier!)?.[1];
    const entry = workspace ? workspaceEntry(workspace) : undefined;
    return entry ? [entry] : [];
  });
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const areaOf = (file: string) => relative(repositoryRoot, file).split("/").slice(0, 2).join("/");

/**
 * Which code owns which table: only its owner imports it (the whole-database packages, config's
 * seed and reset and db's snapshot, touch every table by design).
 */
const tableOwners: Record<string, string[]> = {
  "services/auth": ["principals", "oauthClients", "oauthClientSecrets", "authorizationRequests", "authorizationCodes", "grants", "refreshTokens", "accessTokens"],
  "services/compute": ["runtimes", "deployedApps", "functionSchemas", "jobs"],
  "packages/tokens": ["signingKeys", "derivationKeys"],
  "packages/tls": ["certificates"],
  "packages/http": ["requestJournal"],
};
const wholeDatabase = new Set(["packages/config", "packages/db", "packages/control-plane", "packages/bootstrap"]);
// packages/tokens is the token library both services issue and verify through: it records, verifies
// and removes access tokens and reads principals for their claims; the compute service goes through it.
const sharedReads: Record<string, string[]> = { "packages/tokens": ["principals", "accessTokens"] };

function tablesImportedBy(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"@foundry-emulator\/db"/g)].flatMap(([, names]) =>
    names!
      .split(",")
      .map((name) => name.trim().replace(/^type\s+/, ""))
      .filter(Boolean),
  );
}

describe("the layout", () => {
  it("lets only a table's owner read or write it", () => {
    const ownerOf = new Map(Object.entries(tableOwners).flatMap(([owner, tables]) => tables.map((table) => [table, owner] as const)));
    const trespasses = files.flatMap((file) => {
      const area = areaOf(file);
      if (wholeDatabase.has(area)) return [];
      return tablesImportedBy(file)
        .filter((name) => ownerOf.has(name) && ownerOf.get(name) !== area && !sharedReads[area]?.includes(name))
        .map((name) => `${relative(repositoryRoot, file)} uses ${name} (owned by ${ownerOf.get(name)})`);
    });
    expect(trespasses).toEqual([]);
  });

  it("has no service importing another service, and no package importing a service", () => {
    const crossings = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => areaOf(target).startsWith("services/") && areaOf(target) !== areaOf(file) && areaOf(file) !== "services/gateway")
        .map((target) => `${relative(repositoryRoot, file)} → ${relative(repositoryRoot, target)}`),
    );
    expect(crossings).toEqual([]);
  });

  it("has no import cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "visiting");
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "visiting")
          cycles.push(
            path
              .slice(path.indexOf(target))
              .concat(target)
              .map((entry) => relative(repositoryRoot, entry))
              .join(" → "),
          );
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
