import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestHeader } from "./node-fast-path";

/**
 * Bounds request bodies (declared or streamed) and answers an oversized one in the envelope of the
 * route group, with 413.
 *
 * A declared Content-Length is checked from the header alone (Node's parser never delivers more
 * than it declares), and a request without one and without Transfer-Encoding has no body at all:
 * neither touches `Request.body`, which would turn @hono/node-server's lightweight request into a
 * full web Request with a stream on every call. Only chunked bodies are counted as they stream,
 * by Hono's own bodyLimit.
 */
export function limitRequestBody(maxBytes: number, onTooLarge: (context: Context) => Response): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async (context, next) => {
    if (requestHeader(context, "transfer-encoding") !== undefined) return streamed(context, next);
    const declared = requestHeader(context, "content-length");
    if (declared === undefined) return next();
    if (Number.parseInt(declared, 10) > maxBytes) return onTooLarge(context);
    return next();
  };
}
