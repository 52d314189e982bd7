import type { MiddlewareHandler } from "hono";
import { constantTimeEquals, type TokenVerifier } from "@foundry-emulator/tokens";
import { requireAdminToken } from "./admin-token";
import { bearerTokenOf } from "./authentication";
import { foundryErrors } from "./errors/foundry-error";
import { requestHeader } from "./node-fast-path";
import type { ServiceBindings } from "./service-environment";
import type { RouteAccessEntry } from "@foundry-emulator/contract";
export { routeAccessTable, type RouteAccessEntry, type RouteAccess } from "@foundry-emulator/contract";

// TEMPORARY during the move to per-route guards (route-access.ts): removed once every router mounts its declarations.

function patternOf(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+");
  return new RegExp(`^${escaped}/?$`);
}

/**
 * The table entry for a request: the first entry in table order whose pattern matches, as a scan
 * would find it, but a paths without parameters (most of the hot ones) are answered from a map.
 */
export function routeAccessLookup(table: readonly RouteAccessEntry[]): (method: string, path: string) => RouteAccessEntry | undefined {
  const compiled = table.map((entry) => ({ entry, pattern: patternOf(entry.path), literal: !entry.path.includes(":") }));
  const firstMatch = (method: string, path: string, candidates: typeof compiled) =>
    candidates.find((candidate) => candidate.entry.method === method && candidate.pattern.test(path))?.entry;
  // A literal path's answer is fixed once the table is: the first entry of any kind that matches it.
  const byLiteralPath = new Map<string, RouteAccessEntry>();
  for (const { entry, literal } of compiled) {
    const key = `${entry.method} ${entry.path}`;
    if (literal && !byLiteralPath.has(key)) byLiteralPath.set(key, firstMatch(entry.method, entry.path, compiled)!);
  }
  // Any other path can only match a parameterized entry (a literal one matches its own path only).
  const parameterized = compiled.filter((candidate) => !candidate.literal);
  return (method, path) => {
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    return byLiteralPath.get(`${method} ${trimmed}`) ?? firstMatch(method, path, parameterized);
  };
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
  const lookup = routeAccessLookup(table);
  const admin = requireAdminToken(options.adminToken);
  return async (context, next) => {
    const entry = lookup(context.req.method, context.req.path);
    if (!entry) return next();
    const { access } = entry;
    if (access.kind === "admin") return admin(context, next);
    if (access.kind === "admin-read") {
      const presented = bearerTokenOf(requestHeader(context, "authorization"));
      if (options.adminToken && (!presented || !constantTimeEquals(presented, options.adminToken))) {
        throw foundryErrors.unauthorized("This route shows what the emulator holds: with FOUNDRY_ADMIN_TOKEN set, send it as a bearer token.");
      }
      return next();
    }
    if (access.kind === "scope" || access.kind === "token") {
      const verification = await options.verifier.verify(bearerTokenOf(requestHeader(context, "authorization")));
      if (!verification.ok) throw foundryErrors.unauthorized();
      if (access.kind === "scope" && !verification.token.scopes.includes(access.scope)) throw foundryErrors.apiUsageDenied(access.scope);
      context.set("verifiedToken", verification.token);
    }
    return next();
  };
}

