import type { Context } from "hono";
import type { z } from "zod";
import { foundryErrors } from "./errors/foundry-error";

/** Renders a zod path as `a.b[0].c`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}

/**
 * Reads a JSON body and validates it with a zod schema. Every failure is a 400 in the Foundry
 * envelope that names each problem's path, so nothing half-valid reaches a handler.
 */
export async function parseJsonBody<Schema extends z.ZodType>(context: Context, schema: Schema): Promise<z.infer<Schema>> {
  const text = await context.req.text();
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw foundryErrors.invalidArgument("Conjure:InvalidArgument", {}, "The body is not valid JSON.");
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({ path: pathOf(issue.path) || "(body)", message: issue.message }));
    throw foundryErrors.invalidArgument("Conjure:InvalidArgument", { problems }, problems.map((problem) => `${problem.path}: ${problem.message}`).join("; "));
  }
  return result.data;
}
