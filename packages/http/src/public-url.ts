import type { Context } from "hono";
import { forwardingIsTrusted } from "./site-protection";

const hostPattern = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
const prefixPattern = /^(\/[A-Za-z0-9._~-]+)*$/;

/**
 * The base URL the caller used, as a reverse proxy reports it in X-Forwarded-Proto/Host/Port/
 * Prefix (the compose gateway sets them), or undefined when the request came straight in.
 * Malformed values are ignored rather than echoed into URLs.
 */
export function forwardedBaseUrl(header: (name: string) => string | undefined): string | undefined {
  const host = header("X-Forwarded-Host")?.split(",")[0]?.trim();
  if (!host || !hostPattern.test(host)) return undefined;
  const proto = header("X-Forwarded-Proto")?.split(",")[0]?.trim().toLowerCase();
  const scheme = proto === "https" ? "https" : "http";
  const port = header("X-Forwarded-Port")?.split(",")[0]?.trim();
  const defaultPort = scheme === "https" ? "443" : "80";
  const withPort = /:\d+$/.test(host) || !port || !/^\d{1,5}$/.test(port) || port === defaultPort ? host : `${host}:${port}`;
  return `${scheme}://${withPort}${forwardedPrefix(header)}`;
}

/** X-Forwarded-Prefix, when it is a plain path (`/foundry`), else "". */
export function forwardedPrefix(header: (name: string) => string | undefined): string {
  const prefix = header("X-Forwarded-Prefix")?.trim().replace(/\/+$/, "") ?? "";
  return prefixPattern.test(prefix) ? prefix : "";
}

/**
 * The URL to hand out in answers: what the client used behind a proxy, else FOUNDRY_PUBLIC_URL
 * (so a module in another container gets URLs that work from where it stands). Forwarded headers
 * count only from a trusted proxy (FOUNDRY_TRUSTED_PROXIES).
 */
export function publicUrlFor(context: Context, configuredPublicUrl: string): string {
  if (!forwardingIsTrusted(context)) return configuredPublicUrl;
  return forwardedBaseUrl((name) => context.req.header(name)) ?? configuredPublicUrl;
}

/** X-Forwarded-Prefix of a trusted proxy, else "". */
export function trustedForwardedPrefix(context: Context): string {
  return forwardingIsTrusted(context) ? forwardedPrefix((name) => context.req.header(name)) : "";
}
