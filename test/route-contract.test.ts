import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { routeContract } from "@foundry-emulator/contract";
import { wholeDatabaseRouteSpecs } from "@foundry-emulator/control-plane";
import { serviceForPath } from "../services/gateway/src/route-table";
import { startEmulator, type TestEmulator } from "./support/emulator";

/** Method and path of each route a Hono app registered (its guards and middleware left out). */
const registeredRoutes = (app: { routes: Array<{ method: string; path: string }> }) =>
  [...new Set(app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`))].sort();

describe("the route contract", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it("is implemented by exactly the service the gateway's prefix table sends each path to (the whole-database routes by both)", () => {
    const declaredFor = (service: string) =>
      routeContract
        .filter((spec) => serviceForPath(`${spec.path}/`) === service || wholeDatabaseRouteSpecs.includes(spec))
        .map((spec) => `${spec.method} ${spec.path}`)
        .sort();
    expect(registeredRoutes(createAuthApp(emulator.platform))).toEqual(declaredFor("auth"));
    expect(registeredRoutes(createComputeApp(emulator.platform))).toEqual(declaredFor("compute"));
  });

  it("declares each method and path once", () => {
    const keys = routeContract.map((spec) => `${spec.method} ${spec.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
