import type { ZodType } from "zod";
import { invalidRequest, problemsOf, readBoundedBody } from "@foundry-emulator/http";
import { computeErrors } from "../wire/errors";

/**
 * Reads a request body as raw bytes (binary safe, chunked or not), refusing with 413 as soon as it
 * grows past `maxBytes` — a declared Content-Length is checked before reading anything.
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const total = await readBoundedBody(
    request,
    maxBytes,
    () => computeErrors.bodyTooLarge(maxBytes),
    (chunk) => void chunks.push(chunk),
  );
  return Buffer.concat(chunks, total);
}

/** Reads and validates a JSON body: bad JSON or the wrong shape is 400 `INVALID_ARGUMENT`, too large 413. */
export async function readJsonBody<T>(request: Request, maxBytes: number, schema: ZodType<T>, options: { emptyAs?: unknown } = {}): Promise<T> {
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes.length === 0 && "emptyAs" in options) return parseWith(schema, options.emptyAs);
  if (bytes.length === 0) throw invalidRequest([{ path: "(body)", message: "empty; a JSON body is required" }]);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw invalidRequest([{ path: "(body)", message: "not valid JSON" }]);
  }
  return parseWith(schema, value);
}

function parseWith<T>(schema: ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(problemsOf(parsed.error));
  return parsed.data;
}
