import type { z } from "zod";
import { foundryErrors } from "./foundry-error";

/** One thing wrong with a request: where (`a.b[0].c`, or `(body)` / `(query)` for the whole) and what. */
export interface ValidationProblem {
  path: string;
  message: string;
}

/** Renders a zod path as `a.b[0].c`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}

/** A zod error's issues as problems; `whole` names the value itself (`(body)`, `(query)`). */
export function problemsOf(error: z.ZodError, whole = "(body)"): ValidationProblem[] {
  return error.issues.map((issue) => ({ path: pathOf(issue.path) || whole, message: issue.message }));
}

/**
 * The one validation error of every /api and /_emulate route: 400 `Conjure:InvalidArgument` with
 * `parameters.problems: [{path, message}]`.
 */
export function invalidRequest(problems: ValidationProblem[]) {
  return foundryErrors.invalidArgument("Conjure:InvalidArgument", { problems }, problems.map((problem) => `${problem.path}: ${problem.message}`).join("; "));
}
