import { describe, expect, it } from "vitest";
import { routeAccessLookup, type RouteAccessEntry } from "./route-access";
import { routeAccessTable } from "./route-access-table";

/** What the lookup must agree with: the first entry in table order whose path pattern matches. */
function scan(table: readonly RouteAccessEntry[], method: string, path: string): RouteAccessEntry | undefined {
  return table.find((entry) => {
    if (entry.method !== method) return false;
    const pattern = entry.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+");
    return new RegExp(`^${pattern}/?$`).test(path);
  });
}

describe("routeAccessLookup", () => {
  const lookup = routeAccessLookup(routeAccessTable);
  const samplePaths = routeAccessTable.flatMap((entry) => {
    const concrete = entry.path.replace(/:[A-Za-z]+/g, "some-id");
    return [concrete, `${concrete}/`, `${concrete}//`, `${concrete}/extra`, concrete.replace(/\/[^/]*$/, "")];
  });

  it("finds the entry a scan of the table finds, for every route (trailing slash and near misses too)", () => {
    expect(samplePaths.length).toBeGreaterThan(50);
    for (const path of samplePaths) {
      for (const method of ["GET", "POST", "PUT", "DELETE"]) {
        expect(lookup(method, path), `${method} ${path}`).toBe(scan(routeAccessTable, method, path));
      }
    }
  });

  it("keeps table order when a parameterized entry comes before a literal one it also matches", () => {
    const table: RouteAccessEntry[] = [
      { method: "GET", path: "/things/:id", access: { kind: "scope", scope: "api:things-read" } },
      { method: "GET", path: "/things/special", access: { kind: "public", reason: "never reached" } },
    ];
    expect(routeAccessLookup(table)("GET", "/things/special")).toBe(table[0]);
    expect(routeAccessLookup(table)("GET", "/things/special/")).toBe(table[0]);
    expect(routeAccessLookup(table)("GET", "/things")).toBeUndefined();
  });
});
