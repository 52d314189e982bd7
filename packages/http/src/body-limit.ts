import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Bounds request bodies (declared or streamed) and answers an oversized one in the envelope of the
 * route group, with 413.
 */
export function limitRequestBody(maxBytes: number, onTooLarge: (context: Context) => Response): MiddlewareHandler {
  return bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
}
