import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { FoundryError, foundryErrors } from "./errors/foundry-error";
import { OauthError } from "./errors/oauth-error";
import { requestHeader } from "./node-fast-path";
import type { ServiceBindings } from "./service-environment";

/*
 * What keeps a web page the developer opens, a rebound host name or a forged header from driving
 * the emulator: Host checked on every request, cross-site requests refused where they would change
 * state, and X-Forwarded-* believed only from trusted proxies.
 */

export interface SiteProtectionSettings {
  FOUNDRY_PUBLIC_URL: string;
  FOUNDRY_ALLOWED_HOSTS: readonly string[];
  FOUNDRY_TLS_HOSTNAMES: readonly string[];
  FOUNDRY_TRUSTED_PROXIES: readonly string[];
}

const loopbackRanges: Array<[string, number, "ipv4" | "ipv6"]> = [
  ["127.0.0.0", 8, "ipv4"],
  ["::1", 128, "ipv6"],
];
const privateRanges: Array<[string, number, "ipv4" | "ipv6"]> = [
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["fc00::", 7, "ipv6"],
];

/** FOUNDRY_TRUSTED_PROXIES as a list node:net can check addresses against. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const ranges = entry === "loopback" ? loopbackRanges : entry === "private" ? privateRanges : undefined;
    if (ranges) {
      for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
      continue;
    }
    const [address, prefix] = entry.split("/");
    const family = isIP(address!) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(prefix), family);
  }
  return list;
}

/** `host:port`, `[v6]:port` or `host` → the host name alone, lower-cased. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith("[")) return trimmed.slice(1, trimmed.indexOf("]"));
  const colon = trimmed.lastIndexOf(":");
  return colon >= 0 && trimmed.indexOf(":") === colon ? trimmed.slice(0, colon) : trimmed;
}

/**
 * Which Host names the emulator answers: localhost (and *.localhost), IP addresses (a rebinding
 * attack names a domain), the public URL's host, the TLS certificate's extra names, and
 * FOUNDRY_ALLOWED_HOSTS (`.example.test` = its subdomains; `*` = any).
 */
export function hostAllowance(settings: SiteProtectionSettings): (hostname: string) => boolean {
  const names = new Set([
    hostnameOf(new URL(settings.FOUNDRY_PUBLIC_URL).host),
    ...settings.FOUNDRY_TLS_HOSTNAMES.map(hostnameOf),
    ...settings.FOUNDRY_ALLOWED_HOSTS.map((name) => name.toLowerCase()),
  ]);
  const any = names.has("*");
  const suffixes = [...names].filter((name) => name.startsWith("."));
  return (hostname) =>
    any || hostname === "localhost" || hostname.endsWith(".localhost") || isIP(hostname) !== 0 || names.has(hostname) || suffixes.some((suffix) => hostname.endsWith(suffix));
}

const mutatingMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The media types a browser sends cross-site without a preflight (CORS "simple" requests). */
const simpleMediaTypes = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);
const crossSiteDescription = "A page of another site may not send this request (its Origin / Sec-Fetch-Site are not the emulator's own).";
const authorizeCallbackPath = "/multipass/api/oauth2/authorize/callback";

const remoteAddressOf = (context: Context) => (context.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;

/**
 * Whether the request came through a trusted proxy, so its X-Forwarded-* headers may be believed.
 * Set on the context by `protectFromOtherSites`.
 */
export const forwardingIsTrusted = (context: Context) => context.get("forwardingTrusted" as never) === true;

/** The hosts the client may have named: Host, and a trusted proxy's X-Forwarded-Host. */
function requestHosts(context: Context): string[] {
  const forwardedHost = forwardingIsTrusted(context) ? requestHeader(context, "x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return [requestHeader(context, "host") ?? "", ...(forwardedHost ? [forwardedHost] : [])].map((host) => host.toLowerCase());
}

/** A browser sent it from another site: Sec-Fetch-Site says so, or Origin names another origin. */
function isCrossSite(context: Context, publicOrigin: string): boolean {
  const fetchSite = requestHeader(context, "sec-fetch-site");
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  const origin = requestHeader(context, "origin");
  if (origin === undefined) return false;
  try {
    const url = new URL(origin);
    return !(url.origin === publicOrigin || requestHosts(context).includes(url.host.toLowerCase()));
  } catch {
    return true; // "null" (a sandboxed or opaque origin) or garbage
  }
}

/**
 * What the control plane's guards (access `admin` and `admin-read`) check before the admin token:
 * a request from another site's page is refused (403), and a state change in one of the media
 * types a browser sends cross-site without a preflight is refused (415). Curl, SDKs and the
 * dashboard itself send neither Origin of another site nor those types.
 */
export function refuseCrossSiteControl(publicUrl: string): MiddlewareHandler<ServiceBindings> {
  const publicOrigin = new URL(publicUrl).origin;
  return async (context, next) => {
    if (isCrossSite(context, publicOrigin)) {
      throw foundryErrors.permissionDenied(
        "Default:PermissionDenied",
        { origin: requestHeader(context, "origin") ?? null, secFetchSite: requestHeader(context, "sec-fetch-site") ?? null },
        crossSiteDescription,
      );
    }
    if (mutatingMethods.has(context.req.method)) {
      const mediaType = (requestHeader(context, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (simpleMediaTypes.has(mediaType)) throw foundryErrors.unsupportedMediaType(mediaType);
    }
    await next();
  };
}

/** The guard every service app starts with (createServiceApp). */
export function protectFromOtherSites(settings: SiteProtectionSettings): MiddlewareHandler<ServiceBindings> {
  const trustedProxies = trustedProxyList(settings.FOUNDRY_TRUSTED_PROXIES);
  const hostAllowed = hostAllowance(settings);
  const publicOrigin = new URL(settings.FOUNDRY_PUBLIC_URL).origin;
  // Both answers depend on one short string each (a peer address, a Host header), and a client sends
  // the same ones request after request: remembered, they cost a map lookup on the hot path.
  const trustedByAddress = new Map<string, boolean>();
  const allowedByHost = new Map<string, boolean>();
  const remember = <Value>(cache: Map<string, Value>, key: string, compute: () => Value): Value => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute();
      if (cache.size >= 1024) cache.clear(); // bounded whatever clients send
      cache.set(key, value);
    }
    return value;
  };
  const isTrusted = (remote: string) => {
    const address = remote.replace(/^::ffff:/, "");
    return trustedProxies.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  };
  return async (context, next) => {
    const remote = remoteAddressOf(context);
    context.set("forwardingTrusted", remote !== undefined && remember(trustedByAddress, remote, () => isTrusted(remote)));
    const path = context.req.path;

    // Host: a name this emulator answers to (DNS rebinding makes a browser send the attacker's). The
    // compose gateway passes the client's Host on; a forwarded host only ever names URLs to hand out.
    const host = requestHeader(context, "host") ?? "";
    if (!remember(allowedByHost, host, () => hostAllowed(hostnameOf(host)))) {
      const description = `This emulator does not answer to the host '${host}'; add it to FOUNDRY_ALLOWED_HOSTS to allow it.`;
      throw path.startsWith("/multipass/api/oauth2/")
        ? new OauthError("invalid_request", description, 421)
        : new FoundryError("INVALID_ARGUMENT", "Default:MisdirectedRequest", { host }, description, 421);
    }

    // The picker's answer only from the picker itself (its page is the emulator's own).
    if (context.req.method === "POST" && path === authorizeCallbackPath && isCrossSite(context, publicOrigin)) {
      throw new OauthError("access_denied", crossSiteDescription, 403);
    }
    await next();
  };
}
