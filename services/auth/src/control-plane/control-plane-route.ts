import type { z } from "zod";
import type { RouteAccessEntry } from "@foundry-emulator/http";

/**
 * What a request or response carries: a zod schema (rendered with `z.toJSONSchema`), raw bytes, or
 * text. Handlers parse with the very schema objects listed here, so the document cannot drift.
 */
export type ControlPlanePayload = z.ZodType | { binary: string } | { text: string };

export interface ControlPlaneResponse {
  description: string;
  /** Media type → payload; absent for an empty body (204). */
  content?: Record<string, ControlPlanePayload>;
  headers?: Record<string, { description: string }>;
}

/** An error the route answers, in Foundry's envelope `{errorCode, errorName, errorInstanceId, parameters}`. */
export interface ControlPlaneError {
  status: number;
  errorName: string;
  description: string;
}

/** One `/_emulate` route as the OpenAPI document describes it. */
export interface ControlPlaneRoute {
  method: RouteAccessEntry["method"];
  /** Hono path pattern, exactly as in `routeAccessTable` (`:name` for a parameter). */
  path: string;
  summary: string;
  description?: string;
  /** Groups routes in the document; defaults to the section the path belongs to. */
  tag?: string;
  request?: { description?: string; required?: boolean; content: Record<string, ControlPlanePayload> };
  /** Status → response. At least one. */
  responses: Record<number, ControlPlaneResponse>;
  /** Errors beyond the ones the guard answers (401 of an admin or module-token route). */
  errors?: ControlPlaneError[];
}

/** Identity helper so entries are checked where they are written. */
export const controlPlaneRoute = (route: ControlPlaneRoute): ControlPlaneRoute => route;

/**
 * A minimal entry for a route whose schemas live elsewhere (another service, another team's work):
 * a summary and what a success looks like. Enough to keep the document complete; make it richer
 * when the route's schemas can be shared.
 */
export function minimalRoute(method: ControlPlaneRoute["method"], path: string, summary: string, response: string, status = 200, tag?: string): ControlPlaneRoute {
  return { method, path, summary, responses: { [status]: { description: response } }, ...(tag ? { tag } : {}) };
}
