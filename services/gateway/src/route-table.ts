/**
 * Which service answers which path prefix: the single source of truth for the all-in-one server
 * and for the nginx configuration of the compose stack (rendered from this table).
 * The longest matching prefix wins.
 */
export const serviceNames = ["auth", "compute"] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface RouteEntry {
  prefix: string;
  service: ServiceName;
  /** What the prefix serves, for people reading the table or the rendered config. */
  purpose: string;
}

export const routeTable: readonly RouteEntry[] = [
  { prefix: "/multipass/", service: "auth", purpose: "Multipass OAuth 2.0 and /multipass/api/me" },
  { prefix: "/api/", service: "auth", purpose: "Foundry platform API (/api/v2/admin/...)" },
  { prefix: "/_emulate/foundry/compute-modules/", service: "compute", purpose: "compute-module runtime sessions, and the jobs, runtimes and bindings the control plane shows" },
  { prefix: "/_emulate/dashboard/data/jobs", service: "compute", purpose: "the dashboard's earlier job URLs (the same as /_emulate/foundry/compute-modules/jobs)" },
  { prefix: "/contour-backend-multiplexer/", service: "compute", purpose: "contour job routes applications call" },
  { prefix: "/_emulate/", service: "auth", purpose: "emulator control plane" },
];

const byLongestPrefix = [...routeTable].sort((left, right) => right.prefix.length - left.prefix.length);

export function serviceForPath(path: string): ServiceName | undefined {
  return byLongestPrefix.find((entry) => path.startsWith(entry.prefix))?.service;
}
