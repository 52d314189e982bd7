import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { seedDocumentSchema, seedSections, type SeedDocument } from "./seed-schema";

export class SeedError extends Error {
  override name = "SeedError";
  constructor(
    message: string,
    /** One entry per problem, each naming its exact path, e.g. `foundry.oauth_clients[0].redirect_uris[1]`. */
    readonly problems: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Renders a zod path the way a reader writes it: `foundry.oauth_clients[0].redirect_uris[1]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? (text ? `${text}.${name}` : name) : `${text}[${JSON.stringify(name)}]`;
  }, "");
}

function problemsOf(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path) || "(document)", message: issue.message }));
}

/** Something a seed may say but should say otherwise: logged, never refused. */
export interface SeedWarning {
  path: string;
  message: string;
}

export interface ParsedSeed {
  document: SeedDocument;
  warnings: SeedWarning[];
}

/** Parses seed text (YAML or JSON, JSON being YAML) and validates it. */
export function parseSeed(text: string, origin = "seed"): ParsedSeed {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : parseYaml(text);
  } catch (error) {
    throw new SeedError(`${origin}: not valid YAML or JSON: ${(error as Error).message}`, [{ path: "(document)", message: (error as Error).message }]);
  }
  return parseSeedDocument(raw ?? {}, origin);
}

export function parseSeedDocument(raw: unknown, origin = "seed"): ParsedSeed {
  const result = seedDocumentSchema.safeParse(raw);
  if (!result.success) {
    const problems = problemsOf(result.error);
    throw new SeedError(`${origin} is invalid:\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join("\n")}`, problems);
  }
  return { document: result.data, warnings: warningsOf(raw) };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** What a valid document says in a way that still works but has a better spelling or is ignored. */
function warningsOf(raw: unknown): SeedWarning[] {
  if (!isRecord(raw)) return [];
  const warnings: SeedWarning[] = [];
  const ignored = Object.keys(raw).filter((key) => !(seedSections as readonly string[]).includes(key));
  if (ignored.length > 0) {
    warnings.push({ path: "(document)", message: `ignored top-level sections (not emulated here): ${ignored.join(", ")}` });
  }
  const computeModules = isRecord(raw.foundry) ? raw.foundry.compute_modules : undefined;
  const deployedApps = isRecord(computeModules) && Array.isArray(computeModules.deployed_apps) ? computeModules.deployed_apps : [];
  deployedApps.forEach((app, index) => {
    if (isRecord(app) && "rid" in app) {
      warnings.push({ path: `foundry.compute_modules.deployed_apps[${index}].rid`, message: "'rid' is the earlier spelling of 'deployed_app_rid': write deployed_app_rid" });
    }
  });
  return warnings;
}

/** Parses and validates seed text; the document alone (see parseSeed for its warnings). */
export function parseSeedText(text: string, origin = "seed"): SeedDocument {
  return parseSeed(text, origin).document;
}

/** Reads and validates a seed file. */
export function readSeed(path: string): ParsedSeed {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SeedError(`cannot read seed file ${path}: ${(error as Error).message}`);
  }
  return parseSeed(text, path);
}
