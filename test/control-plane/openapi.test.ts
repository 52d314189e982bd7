import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { seedDocumentSchema } from "@foundry-emulator/config";
import { createPersonalTokenSchema, mintTokenRequestSchema, routeAccessTable } from "@foundry-emulator/contract";
import { startEmulator, type TestEmulator } from "../support/emulator";

interface Operation {
  operationId: string;
  summary: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  security?: Record<string, string[]>[];
}
interface OpenApiDocument {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

const isControlPlane = (path: string) => path === "/_emulate" || path.startsWith("/_emulate/");
const jsonSchemaOf = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

describe("GET /_emulate/openapi.json", () => {
  let emulator: TestEmulator;
  let document: OpenApiDocument;
  const operation = (method: string, path: string) => document.paths[path.replace(/:([A-Za-z]+)/g, "{$1}")]?.[method.toLowerCase()];

  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: "openapi-admin-token", FOUNDRY_PUBLIC_URL: "http://emulator.test:8080" } });
    const response = await fetch(`${emulator.baseUrl}/_emulate/openapi.json`); // no credentials needed
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    document = (await response.json()) as OpenApiDocument;
  });
  afterAll(() => emulator.stop());

  it("is an OpenAPI 3.1 document served for the public URL", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: "http://emulator.test:8080" }]);
  });

  it("describes exactly the /_emulate routes of the route-access table", () => {
    const declared = routeAccessTable.filter((entry) => isControlPlane(entry.path)).map((entry) => `${entry.method} ${entry.path}`);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ":$1")}`),
    );
    // A new /_emulate route needs an entry in services/auth/src/control-plane/control-plane-routes.ts
    // (`minimalRoute(method, path, summary, response)` is enough to start with).
    expect([...documented].sort(), "the OpenAPI registry and routeAccessTable disagree").toEqual([...new Set(declared)].sort());
  });

  it("takes request bodies from the zod schemas the handlers parse with", () => {
    expect(operation("POST", "/_emulate/foundry/tokens")!.requestBody!.content["application/json"]!.schema).toEqual(jsonSchemaOf(mintTokenRequestSchema));
    expect(operation("POST", "/_emulate/foundry/personal-tokens")!.requestBody!.content["application/json"]!.schema).toEqual(jsonSchemaOf(createPersonalTokenSchema));
    const seed = operation("POST", "/_emulate/seed")!.requestBody!.content;
    expect(Object.keys(seed)).toEqual(expect.arrayContaining(["application/yaml", "text/yaml", "application/json"]));
    expect(Object.keys(seed)).not.toContain("text/plain"); // a type other sites' pages may send without asking
    expect(seed["application/yaml"]!.schema).toEqual(jsonSchemaOf(seedDocumentSchema));
    expect(Object.keys(operation("POST", "/_emulate/snapshot")!.responses["200"]!.content!)).toEqual(["application/vnd.sqlite3"]);
    expect(operation("POST", "/_emulate/seed")!.responses["400"]).toBeDefined();
    expect(operation("POST", "/_emulate/restore")!.responses["409"]).toBeDefined();
  });

  it("derives each operation's security from the route-access table", () => {
    for (const entry of routeAccessTable.filter((candidate) => isControlPlane(candidate.path))) {
      const { security } = operation(entry.method, entry.path)!;
      const kind: string = entry.access.kind;
      if (kind === "public") expect(security, entry.path).toEqual([]);
      else if (kind.startsWith("admin")) expect(security, entry.path).toContainEqual({ adminToken: [] });
      else if (kind === "module-token") expect(security, entry.path).toEqual([{ moduleAuthToken: [] }]);
    }
    expect(operation("POST", "/_emulate/restore")!.responses["401"]).toBeDefined();
  });

  it("is well-formed: unique operation ids, every path parameter declared, every reference defined", () => {
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) => Object.values(byMethod).map((candidate) => ({ path, operation: candidate })));
    const ids = operations.map(({ operation: candidate }) => candidate.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, operation: candidate } of operations) {
      expect(Object.keys(candidate.responses).length, path).toBeGreaterThan(0);
      const named = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1]);
      expect(
        (candidate.parameters ?? []).filter((parameter) => parameter.in === "path").map((parameter) => parameter.name),
        path,
      ).toEqual(named);
      for (const security of candidate.security ?? []) for (const scheme of Object.keys(security)) expect(document.components.securitySchemes, scheme).toHaveProperty(scheme);
    }
    for (const match of JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components.schemas, match[1]).toHaveProperty(match[1]!);
    }
  });
});
