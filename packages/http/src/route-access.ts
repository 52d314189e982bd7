import type { MiddlewareHandler } from "hono";
import { constantTimeEquals, type TokenVerifier } from "@foundry-emulator/tokens";
import { requireAdminToken } from "./admin-token";
import { bearerTokenOf } from "./authentication";
import { foundryErrors } from "./errors/foundry-error";
import type { ServiceBindings } from "./service-environment";

/** What a route demands of its caller. */
export type RouteAccess =
  /** A valid bearer token (OAuth access token or personal token) carrying this scope. */
  | { kind: "scope"; scope: string }
  /** A valid bearer token, no API scope; `reason` says why no scope applies. */
  | { kind: "token"; reason: string }
  /** The runtime's Module-Auth-Token, checked by the runtime routes against the runtime. */
  | { kind: "module-token" }
  /** OAuth client authentication (HTTP Basic or body credentials), checked by the OAuth routes. */
  | { kind: "oauth-client" }
  /** FOUNDRY_ADMIN_TOKEN when configured (control plane); open otherwise. */
  | { kind: "admin" }
  /**
   * FOUNDRY_ADMIN_TOKEN when configured, for reads too: what the emulator saw on a shared
   * environment (job queries and results, tokens, the request journal). Open otherwise.
   */
  | { kind: "admin-read" }
  /** Nothing: `reason` says why that is right. */
  | { kind: "public"; reason: string };

export interface RouteAccessEntry {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Hono path pattern (`:name` for a parameter). */
  path: string;
  access: RouteAccess;
}

function patternOf(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+");
  return new RegExp(`^${escaped}/?$`);
}

/**
 * Enforces the access table for bearer-token and admin routes: the one place where scopes are
 * checked. A missing or bad token is always 401 `Default:Unauthorized`; a missing scope always
 * 403 `ApiUsageDenied` with `missingScope`. Module-token, OAuth-client and public routes are
 * declared in the table and checked by their own handlers.
 */
export function enforceRouteAccess(
  table: readonly RouteAccessEntry[],
  options: { verifier: TokenVerifier; adminToken: string | undefined },
): MiddlewareHandler<ServiceBindings> {
  // Entries by method, in table order (the first match wins, as before); the path is read once.
  const byMethod = new Map<string, Array<RouteAccessEntry & { pattern: RegExp }>>();
  for (const entry of table) {
    const entries = byMethod.get(entry.method) ?? [];
    entries.push({ ...entry, pattern: patternOf(entry.path) });
    byMethod.set(entry.method, entries);
  }
  const admin = requireAdminToken(options.adminToken);
  return async (context, next) => {
    const candidates = byMethod.get(context.req.method);
    if (!candidates) return next();
    const path = context.req.path;
    const entry = candidates.find((candidate) => candidate.pattern.test(path));
    if (!entry) return next();
    const { access } = entry;
    if (access.kind === "admin") return admin(context, next);
    if (access.kind === "admin-read") {
      const presented = bearerTokenOf(context.req.header("Authorization"));
      if (options.adminToken && (!presented || !constantTimeEquals(presented, options.adminToken))) {
        throw foundryErrors.unauthorized("This route shows what the emulator holds: with FOUNDRY_ADMIN_TOKEN set, send it as a bearer token.");
      }
      return next();
    }
    if (access.kind === "scope" || access.kind === "token") {
      const verification = await options.verifier.verify(bearerTokenOf(context.req.header("Authorization")));
      if (!verification.ok) throw foundryErrors.unauthorized();
      if (access.kind === "scope" && !verification.token.scopes.includes(access.scope)) throw foundryErrors.apiUsageDenied(access.scope);
      context.set("verifiedToken", verification.token);
    }
    return next();
  };
}
