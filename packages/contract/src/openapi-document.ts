import { z } from "zod";
import type { RouteAccess, RoutePayload, RouteSpec } from "./route-spec";

type JsonSchema = Record<string, unknown>;

/** Foundry's error envelope, as every control route answers its errors. */
const foundryErrorSchema = z.object({
  errorCode: z.string(),
  errorName: z.string(),
  errorInstanceId: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  errorDescription: z.string().optional(),
});

const reasons: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Too large",
  415: "Unsupported media type",
};

function schemaOf(payload: RoutePayload, io: "input" | "output", mediaType = "application/octet-stream"): JsonSchema {
  if ("binary" in payload && typeof payload.binary === "string") return { type: "string", contentMediaType: mediaType, description: payload.binary };
  if ("text" in payload && typeof payload.text === "string") return { type: "string", description: payload.text };
  const { $schema: _ignored, ...schema } = z.toJSONSchema(payload as z.ZodType, { io, unrepresentable: "any" }) as JsonSchema;
  return schema;
}

function contentOf(content: Record<string, RoutePayload>, io: "input" | "output") {
  return Object.fromEntries(Object.entries(content).map(([mediaType, payload]) => [mediaType, { schema: schemaOf(payload, io, mediaType) }]));
}

/** `/a/:id/b` → `/a/{id}/b`, and the parameters it names. */
function openApiPath(path: string) {
  const names = [...path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!);
  return { path: path.replace(/:([A-Za-z]+)/g, "{$1}"), names };
}

function operationIdOf(route: RouteSpec): string {
  if (route.operationId) return route.operationId;
  const words = route.path
    .replace(/^\/_emulate\/?/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return route.method.toLowerCase() + (words.join("") || "Root");
}

function tagOf(route: RouteSpec): string {
  if (route.tag) return route.tag;
  if (route.path.startsWith("/_emulate/foundry/compute-modules/")) return "compute modules";
  if (route.path.startsWith("/_emulate/foundry/")) return "credentials";
  if (route.path.startsWith("/_emulate/dashboard/") || route.path === "/_emulate" || route.path === "/_emulate/") return "dashboard";
  return "emulator";
}

/** The admin token's guards (`admin`, and any other `admin-…` kind). */
const isAdminGuarded = (access: RouteAccess | undefined) => String(access?.kind ?? "").startsWith("admin");

/** The security an access kind demands, in OpenAPI terms. */
function securityOf(access: RouteAccess | undefined): Record<string, string[]>[] | undefined {
  // Open unless FOUNDRY_ADMIN_TOKEN is set: either no credentials or the admin token.
  if (isAdminGuarded(access)) return [{}, { adminToken: [] }];
  switch (access?.kind) {
    case "module-token":
      return [{ moduleAuthToken: [] }];
    case "token":
    case "scope":
      return [{ bearerToken: [] }];
    case "public":
      return [];
    default:
      return undefined;
  }
}

export interface OpenApiOptions {
  /** Where the emulator is reached (FOUNDRY_PUBLIC_URL). */
  serverUrl: string;
  version?: string;
}

/** Renders route declarations (the control plane's) as an OpenAPI 3.1 document; each operation's security comes from its access rule. */
export function renderOpenApiDocument(routes: readonly RouteSpec[], options: OpenApiOptions) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { path, names } = openApiPath(route.path);
    const { access } = route;
    const errors = [...(route.errors ?? [])];
    if (isAdminGuarded(access)) {
      errors.push({ status: 401, errorName: "Default:Unauthorized", description: "FOUNDRY_ADMIN_TOKEN is set and the request does not carry it." });
      errors.push({ status: 403, errorName: "Default:PermissionDenied", description: "Sent by a page of another site (Origin / Sec-Fetch-Site)." });
    }
    if (access?.kind === "module-token") errors.push({ status: 401, errorName: "Default:Unauthorized", description: "The Module-Auth-Token header is missing or wrong." });
    const hasJsonRequest = Object.values(route.request?.content ?? {}).some((payload) => !("binary" in payload) && !("text" in payload));
    if (hasJsonRequest && !errors.some((error) => error.status === 400)) {
      errors.push({ status: 400, errorName: "Conjure:InvalidArgument", description: "The body is not valid; `parameters.problems` lists `{path, message}`." });
    }

    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.headers
          ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, header]) => [name, { description: header.description, schema: { type: "string" } }])) }
          : {}),
        ...(response.content ? { content: contentOf(response.content, "output") } : {}),
      };
    }
    const byStatus = new Map<number, typeof errors>();
    for (const error of errors) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
    for (const [status, group] of [...byStatus].sort(([left], [right]) => left - right)) {
      responses[String(status)] = {
        description: `${reasons[status] ?? "Error"}: ${group.map((error) => `\`${error.errorName}\` — ${error.description}`).join(" ")}`,
        content: { "application/json": { schema: { $ref: "#/components/schemas/FoundryError" } } },
      };
    }

    const security = securityOf(access);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: operationIdOf(route),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [tagOf(route)],
      ...(names.length ? { parameters: names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })) } : {}),
      ...(route.request
        ? {
            requestBody: {
              ...(route.request.description ? { description: route.request.description } : {}),
              required: route.request.required ?? true,
              content: contentOf(route.request.content, "input"),
            },
          }
        : {}),
      responses,
      ...(security ? { security } : {}),
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "foundry-emulator control plane",
      version: options.version ?? "0.1.0",
      description:
        "The /_emulate routes of foundry-emulator: health, seeding, reset, snapshots, credentials and compute-module runtimes. " +
        "Mutating routes need `Authorization: Bearer <FOUNDRY_ADMIN_TOKEN>` when the emulator is started with one, and are open otherwise.",
    },
    servers: [{ url: options.serverUrl }],
    tags: [
      { name: "emulator", description: "Health, seeding, reset, snapshots" },
      { name: "credentials", description: "Tokens and client secrets without a browser" },
      { name: "compute modules", description: "What a compute-module container calls, and job control" },
      { name: "dashboard", description: "The dashboard page and the data it shows" },
    ],
    paths,
    components: {
      schemas: { FoundryError: schemaOf(foundryErrorSchema, "output") },
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "FOUNDRY_ADMIN_TOKEN (only enforced when set)." },
        bearerToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token or a personal access token." },
        moduleAuthToken: { type: "apiKey", in: "header", name: "Module-Auth-Token", description: "The runtime's module auth token." },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof renderOpenApiDocument>;
