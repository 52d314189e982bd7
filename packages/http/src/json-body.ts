import type { Context } from "hono";
import type { z } from "zod";
import { invalidRequest, problemsOf } from "./errors/validation-error";

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
    throw invalidRequest([{ path: "(body)", message: "not valid JSON" }]);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest(problemsOf(result.error));
  return result.data;
}

/** Parses query parameters with a zod schema: every problem is a 400 naming the parameter. */
export function parseQuery<Schema extends z.ZodType>(context: Context, schema: Schema): z.infer<Schema> {
  const result = schema.safeParse(context.req.query());
  if (!result.success) throw invalidRequest(problemsOf(result.error, "(query)"));
  return result.data;
}
