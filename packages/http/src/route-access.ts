import type { Hono, MiddlewareHandler } from "hono";
import type { RouteAccess, RouteSpec } from "@foundry-emulator/contract";
import { constantTimeEquals, type TokenVerifier } from "@foundry-emulator/tokens";
import { bearerTokenOf } from "./authentication";
import { foundryErrors } from "./errors/foundry-error";
import { requestHeader } from "./node-fast-path";
import type { ServiceBindings } from "./service-environment";
import { refuseCrossSiteControl } from "./site-protection";

export interface RouteGuardOptions {
  verifier: TokenVerifier;
  adminToken: string | undefined;
  /** FOUNDRY_PUBLIC_URL: the control plane's own origin. */
  publicUrl: string;
  /** The service's check of a runtime's Module-Auth-Token (the compute service's runtimes). */
  moduleToken?: MiddlewareHandler;
}

const passThrough: MiddlewareHandler = (_context, next) => next();

/**
 * The guard of an access rule: the one place where tokens, scopes and the admin token are checked.
 * A missing or bad token is always 401 `Default:Unauthorized`; a missing scope always 403
 * `ApiUsageDenied` with `missingScope`. OAuth-client routes authenticate the client with the form
 * they parse; public routes need nothing.
 */
export function guardFor(access: RouteAccess, options: RouteGuardOptions): MiddlewareHandler<ServiceBindings> {
  switch (access.kind) {
    case "admin":
    case "admin-read": {
      const { adminToken } = options;
      const sameSite = refuseCrossSiteControl(options.publicUrl);
      if (!adminToken) return sameSite;
      return (context, next) =>
        sameSite(context, async () => {
          const presented = bearerTokenOf(requestHeader(context, "authorization"));
          if (!presented || !constantTimeEquals(presented, adminToken)) {
            throw foundryErrors.unauthorized("This control-plane route needs the emulator's admin token (FOUNDRY_ADMIN_TOKEN) as a bearer token.");
          }
          await next();
        });
    }
    case "scope":
    case "token":
      return async (context, next) => {
        const verification = await options.verifier.verify(bearerTokenOf(requestHeader(context, "authorization")));
        if (!verification.ok) throw foundryErrors.unauthorized();
        if (access.kind === "scope" && !verification.token.scopes.includes(access.scope)) throw foundryErrors.apiUsageDenied(access.scope);
        context.set("verifiedToken", verification.token);
        await next();
      };
    case "module-token":
      if (!options.moduleToken) throw new Error("a module-token route needs the service's moduleToken guard");
      return options.moduleToken;
    case "oauth-client":
    case "public":
      return passThrough;
  }
}

// Routers of any bindings: each service's handlers type their own context.
// biome-ignore lint/suspicious/noExplicitAny: Hono's handler types vary with each router's bindings.
type AnyHandler = (context: any, next: any) => any;
// biome-ignore lint/suspicious/noExplicitAny: see AnyHandler.
export type MountRoute = <Router extends Hono<any, any, any>>(router: Router, spec: RouteSpec, ...handlers: AnyHandler[]) => Router;

/**
 * Registers a declared route on a router, behind the guard of its access rule. Hono answers HEAD
 * with the GET route, guard included, so HEAD takes GET's rule.
 */
export function createRouteMounter(options: RouteGuardOptions): MountRoute {
  const guards = new Map<string, MiddlewareHandler>();
  const guardOf = (access: RouteAccess) => {
    const key = JSON.stringify(access);
    const known = guards.get(key);
    if (known) return known;
    const guard = guardFor(access, options) as MiddlewareHandler;
    guards.set(key, guard);
    return guard;
  };
  return (router, spec, ...handlers) => {
    (router as Hono).on(spec.method, spec.path, guardOf(spec.access), ...(handlers as MiddlewareHandler[]));
    return router;
  };
}
