import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { seedDocumentSchema, type SeedDocument } from "./seed-schema";

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

/** Parses seed text (YAML or JSON, JSON being YAML) and validates it. */
export function parseSeedText(text: string, origin = "seed"): SeedDocument {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : parseYaml(text);
  } catch (error) {
    throw new SeedError(`${origin}: not valid YAML or JSON: ${(error as Error).message}`, [
      { path: "(document)", message: (error as Error).message },
    ]);
  }
  return parseSeedValue(raw ?? {}, origin);
}

export function parseSeedValue(raw: unknown, origin = "seed"): SeedDocument {
  const result = seedDocumentSchema.safeParse(raw);
  if (!result.success) {
    const problems = problemsOf(result.error);
    throw new SeedError(`${origin} is invalid:\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join("\n")}`, problems);
  }
  return result.data;
}

export function readSeedFile(path: string): SeedDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SeedError(`cannot read seed file ${path}: ${(error as Error).message}`);
  }
  return parseSeedText(text, path);
}
