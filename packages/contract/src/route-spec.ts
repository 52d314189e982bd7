import type { z } from "zod";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What a route demands of its caller. Every method's request, HEAD included (it takes GET's rule). */
export type RouteAccess =
  /** A valid bearer token (OAuth access token or personal token) carrying this scope. */
  | { kind: "scope"; scope: string }
  /** A valid bearer token, no API scope; `reason` says why no scope applies. */
  | { kind: "token"; reason: string }
  /** The runtime's Module-Auth-Token, checked against the runtime the path names. */
  | { kind: "module-token" }
  /** OAuth client authentication (HTTP Basic or body credentials), checked by the OAuth handlers with the form. */
  | { kind: "oauth-client" }
  /** FOUNDRY_ADMIN_TOKEN when configured (the control plane's actions); open otherwise. */
  | { kind: "admin" }
  /** FOUNDRY_ADMIN_TOKEN when configured, for what the emulator saw on a shared environment (jobs, tokens, the journal); open otherwise. */
  | { kind: "admin-read" }
  /** Nothing: `reason` says why that is right. */
  | { kind: "public"; reason: string };

/** A route's method, path and access rule alone. */
export interface RouteAccessEntry {
  method: HttpMethod;
  /** Hono path pattern (`:name` for a parameter). */
  path: string;
  access: RouteAccess;
}

/**
 * What a request or response carries: a zod schema (rendered with `z.toJSONSchema`), raw bytes, or
 * text. Handlers parse with the very schema objects named here, so the document cannot drift.
 */
export type RoutePayload = z.ZodType | { binary: string } | { text: string };

export interface RouteResponse {
  description: string;
  /** Media type → payload; absent for an empty body (204). */
  content?: Record<string, RoutePayload>;
  headers?: Record<string, { description: string }>;
}

/** An error the route answers, in Foundry's envelope `{errorCode, errorName, errorInstanceId, parameters}`. */
export interface RouteError {
  status: number;
  errorName: string;
  description: string;
}

/**
 * One route of the emulator, declared once: what the Hono router registers, what the access guard
 * enforces, and (for `/_emulate` routes) what the OpenAPI document says.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Hono path pattern (`:name` for a parameter), from the root. */
  path: string;
  access: RouteAccess;
  summary: string;
  description?: string;
  /** The OpenAPI operation id; derived from the method and path when absent. */
  operationId?: string;
  /** Groups routes in the document; defaults to the section the path belongs to. */
  tag?: string;
  request?: { description?: string; required?: boolean; content: Record<string, RoutePayload> };
  /** Status → response. At least one. */
  responses: Record<number, RouteResponse>;
  /** Errors beyond the ones the guard answers (401 of an admin or module-token route). */
  errors?: RouteError[];
}

/** Identity helper so a declaration is checked where it is written. */
export const route = <const Spec extends RouteSpec>(spec: Spec): Spec => spec;

/** A declaration whose success is described in one sentence (no schema to share). */
export function simpleRoute(
  method: HttpMethod,
  path: string,
  access: RouteAccess,
  summary: string,
  response: string,
  options: { status?: number; tag?: string; description?: string } = {},
): RouteSpec {
  return {
    method,
    path,
    access,
    summary,
    ...(options.description ? { description: options.description } : {}),
    responses: { [options.status ?? 200]: { description: response } },
    ...(options.tag ? { tag: options.tag } : {}),
  };
}
