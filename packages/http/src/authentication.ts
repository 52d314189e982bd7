import type { MiddlewareHandler } from "hono";
import type { TokenVerifier } from "@foundry-emulator/tokens";
import { foundryErrors } from "./errors/foundry-error";
import type { ServiceBindings } from "./service-environment";

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer[ ]+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Requires a valid, unexpired, unrevoked token of an active principal; sets `verifiedToken`.
 * Any failure is the same 401 `Default:Unauthorized` envelope, whatever the reason.
 */
export function requireBearerToken(verifier: TokenVerifier): MiddlewareHandler<ServiceBindings> {
  return async (context, next) => {
    const verification = await verifier.verify(bearerTokenOf(context.req.header("Authorization")));
    if (!verification.ok) throw foundryErrors.unauthorized();
    context.set("verifiedToken", verification.token);
    await next();
  };
}

/** Requires a scope on the verified token: 403 `ApiUsageDenied` naming the missing scope. */
export function requireScope(scope: string): MiddlewareHandler<ServiceBindings> {
  return async (context, next) => {
    if (!context.get("verifiedToken").scopes.includes(scope)) throw foundryErrors.apiUsageDenied(scope);
    await next();
  };
}
