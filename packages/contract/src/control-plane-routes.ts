import { z } from "zod";
import { route, simpleRoute, type RouteSpec } from "./route-spec";
import {
  appliedSeedResponseSchema,
  clientSecretSummarySchema,
  createPersonalTokenSchema,
  healthResponseSchema,
  mintedTokenResponseSchema,
  mintTokenRequestSchema,
  personalTokenSummarySchema,
  resetResponseSchema,
  restoredResponseSchema,
  seedMediaTypes,
  seedRequestSchema,
  snapshotMediaType,
} from "./schemas/control-plane-schemas";

const json = (schema: z.ZodType) => ({ "application/json": schema });
const adminNote = "Needs `Authorization: Bearer <FOUNDRY_ADMIN_TOKEN>` when the emulator has one.";
const seedContent = Object.fromEntries(seedMediaTypes.map((mediaType) => [mediaType, seedRequestSchema]));
const admin = { kind: "admin" } as const;
const adminRead = { kind: "admin-read" } as const;

const withOperationId = (operationId: string, spec: RouteSpec): RouteSpec => ({ ...spec, operationId });

// What the control plane shows of principals, clients and tokens: the auth service's own tables.
// Never a secret, a token value or a digest.
const originSchema = z.enum(["seed", "runtime"]);

export const principalSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(["user", "service"]),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  realm: z.string(),
  organizationRid: z.string().nullable(),
  active: z.boolean(),
  origin: originSchema,
});

export const oauthClientSummarySchema = z.object({
  clientId: z.string(),
  name: z.string().nullable(),
  confidential: z.boolean(),
  redirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  allowedScopes: z.array(z.string()),
  origin: originSchema,
  /** How many live secrets it has; their values are never shown (only digests are stored). */
  secretCount: z.number().int(),
});

/** The filters of the active-token list; `cursor` is the `nextCursor` of the previous page. */
export const accessTokenListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^(never|\d{1,16})\.\d{1,16}$/, "the nextCursor of a previous page")
    .optional(),
  /** A username: a user's, or a service principal's (the client id of a client_credentials client). */
  principal: z.string().min(1).max(200).optional(),
  client: z.string().min(1).max(200).optional(),
  kind: z.enum(["oauth", "personal"]).optional(),
});

export const accessTokenSummarySchema = z.object({
  tokenId: z.string(),
  kind: z.enum(["oauth", "personal"]),
  principal: z.object({ id: z.string(), username: z.string().nullable(), kind: z.enum(["user", "service"]).nullable() }),
  clientId: z.string().nullable(),
  scopes: z.array(z.string()),
  label: z.string().nullable(),
  origin: originSchema,
  issuedAt: z.string(),
  expiresAt: z.string().nullable(),
});

export const accessTokenPageSchema = z.object({ data: z.array(accessTokenSummarySchema), nextCursor: z.string().nullable() });

export type PrincipalSummary = z.infer<typeof principalSummarySchema>;
export type OauthClientSummary = z.infer<typeof oauthClientSummarySchema>;
export type AccessTokenListQuery = z.infer<typeof accessTokenListQuerySchema>;
export type AccessTokenSummary = z.infer<typeof accessTokenSummarySchema>;
export type AccessTokenPage = z.infer<typeof accessTokenPageSchema>;

const accessTokenListDescription =
  "Access tokens (OAuth and personal) neither revoked nor expired: latest expiry first, then those that never expire. Query: `principal` (a username or a client's service principal), `client`, `kind` (oauth, personal), `limit` (1-500, default 50), `cursor` (the previous page's `nextCursor`). Never a token value.";

/** POST /_emulate/restore reads a whole database: it bounds its body itself, with FOUNDRY_MAX_SNAPSHOT_BYTES. */
export const restorePath = "/_emulate/restore";

/** The /_emulate routes of the whole database (seeding, snapshots, journal), of the auth service's data (principals, clients, credentials) and the dashboard page. */
export const controlPlaneRoutes = {
  // Emulator
  health: route({
    method: "GET",
    path: "/_emulate/health",
    access: { kind: "public", reason: "health checks carry no credentials" },
    summary: "Health check",
    responses: { 200: { description: "The service answers.", content: json(healthResponseSchema) } },
  }),
  openApi: route({
    method: "GET",
    path: "/_emulate/openapi.json",
    access: { kind: "public", reason: "describes the control plane's routes; it holds no data" },
    summary: "This document",
    description: "OpenAPI 3.1 description of the control plane, generated from the zod schemas the handlers use.",
    responses: {
      200: { description: "The OpenAPI document.", content: json(z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) })) },
    },
  }),
  certificateAuthority: route({
    method: "GET",
    path: "/_emulate/ca.pem",
    access: { kind: "public", reason: "a CA certificate is public: clients need it to trust the HTTPS listener" },
    summary: "The emulator's CA certificate",
    description: "What clients of the HTTPS listener (FOUNDRY_TLS_PORT) must trust.",
    responses: { 200: { description: "PEM certificate.", content: { "application/x-pem-file": { text: "PEM" } } } },
  }),
  reset: route({
    method: "POST",
    path: "/_emulate/reset",
    access: admin,
    summary: "Back to the start-up seed",
    description: `Wipes run-time state (tokens, codes, jobs, what run-time seeds and the control plane added) and re-applies the start-up seed, in one transaction. ${adminNote}`,
    responses: { 200: { description: "Reset; the start-up seed's summary (null without a seed).", content: json(resetResponseSchema) } },
  }),
  seed: route({
    method: "POST",
    path: "/_emulate/seed",
    access: admin,
    summary: "Apply a seed at run time",
    description:
      "Adds or updates users, OAuth clients, runtimes, deployed-app bindings and personal tokens from a seed document (the start-up seed's format, YAML or JSON) without a restart. " +
      "Validated like the start-up seed and applied in one transaction: on any problem nothing is applied. What it adds is run-time state: it survives a restart; a reset removes it. " +
      adminNote,
    request: { description: "A seed document (YAML or JSON).", required: true, content: seedContent },
    responses: { 200: { description: "Applied.", content: json(appliedSeedResponseSchema) } },
    errors: [
      { status: 400, errorName: "InvalidSeed", description: "The document is invalid; `parameters.problems` lists `{path, message}` with each problem's exact path." },
      { status: 409, errorName: "SeedConflict", description: "The database refused a write (a constraint); the transaction rolled back." },
      { status: 413, errorName: "Conjure:RequestEntityTooLarge", description: "Larger than FOUNDRY_MAX_BODY_BYTES." },
      { status: 415, errorName: "Conjure:UnsupportedMediaType", description: `Content-Type other than ${seedMediaTypes.join(", ")}.` },
    ],
  }),
  snapshot: route({
    method: "POST",
    path: "/_emulate/snapshot",
    access: admin,
    summary: "Download a snapshot of the database",
    description: `A consistent copy of the SQLite database taken while the emulator runs (SQLite's online backup), to restore later with POST /_emulate/restore. ${adminNote}`,
    responses: {
      200: {
        description: "The database file.",
        content: { [snapshotMediaType]: { binary: "SQLite database" } },
        headers: {
          "Content-Disposition": { description: 'attachment; filename="foundry-emulator-<UTC timestamp>.db"' },
          "X-Foundry-Emulator-Schema": { description: "The newest migration of the schema the snapshot has." },
        },
      },
    },
  }),
  restore: route({
    method: "POST",
    path: "/_emulate/restore",
    access: admin,
    summary: "Restore a snapshot",
    description:
      "Replaces the emulator's state with a snapshot's, atomically. The file is validated (SQLite, PRAGMA integrity_check, this emulator's tables and migration journal) and migrated to this build's schema before anything changes. " +
      "The certificates and the request journal of the running environment are kept; the signing key comes with the snapshot. " +
      adminNote,
    request: {
      description: "A snapshot file, as POST /_emulate/snapshot returns it.",
      required: true,
      content: { [snapshotMediaType]: { binary: "SQLite database" }, "application/octet-stream": { binary: "SQLite database" } },
    },
    responses: { 200: { description: "Restored.", content: json(restoredResponseSchema) } },
    errors: [
      { status: 400, errorName: "InvalidSnapshot", description: "Not SQLite, corrupt, empty, or not a foundry-emulator database; nothing was changed." },
      { status: 409, errorName: "SnapshotSchemaTooNew", description: "Written by a newer foundry-emulator (migrations this build does not know); nothing was changed." },
      { status: 413, errorName: "Conjure:RequestEntityTooLarge", description: "Larger than FOUNDRY_MAX_SNAPSHOT_BYTES." },
    ],
  }),

  // Credentials
  mintToken: route({
    method: "POST",
    path: "/_emulate/foundry/tokens",
    access: admin,
    summary: "Mint an access token",
    description: `An access token for a user or a client's service principal with exactly the given scopes, without a browser. ${adminNote}`,
    request: { required: true, content: json(mintTokenRequestSchema) },
    responses: { 200: { description: "The token endpoint's answer, plus the principal's id.", content: json(mintedTokenResponseSchema) } },
    errors: [
      { status: 400, errorName: "UserDeleted", description: "The principal is deactivated." },
      { status: 404, errorName: "UserNotFound", description: "No such user (or `ServicePrincipalNotFound`)." },
    ],
  }),
  listClientSecrets: route({
    method: "GET",
    path: "/_emulate/foundry/oauth-clients/:clientId/secrets",
    access: admin,
    summary: "List a client's secrets",
    description: "Ids and origins, never the values.",
    responses: { 200: { description: "The client's live secrets.", content: json(z.object({ data: z.array(clientSecretSummarySchema) })) } },
    errors: [
      { status: 400, errorName: "OAuthClientIsPublic", description: "A public client has no secrets." },
      { status: 404, errorName: "OAuthClientNotFound", description: "No such client." },
    ],
  }),
  addClientSecret: route({
    method: "POST",
    path: "/_emulate/foundry/oauth-clients/:clientId/secrets",
    access: admin,
    summary: "Add a client secret (rotation)",
    description: `The new secret is shown in this answer only. ${adminNote}`,
    responses: { 201: { description: "The new secret.", content: json(clientSecretSummarySchema.extend({ clientSecret: z.string() })) } },
    errors: [
      { status: 400, errorName: "OAuthClientIsPublic", description: "A public client has no secrets." },
      { status: 404, errorName: "OAuthClientNotFound", description: "No such client." },
    ],
  }),
  removeClientSecret: route({
    method: "DELETE",
    path: "/_emulate/foundry/oauth-clients/:clientId/secrets/:secretId",
    access: admin,
    summary: "Remove a client secret",
    description: `Token requests with it fail from now on; tokens already issued stay valid. ${adminNote}`,
    responses: { 204: { description: "Removed." } },
    errors: [
      { status: 400, errorName: "LastClientSecret", description: "The last secret cannot be removed." },
      { status: 404, errorName: "OAuthClientSecretNotFound", description: "No such secret (or `OAuthClientNotFound`)." },
    ],
  }),
  listPersonalTokens: route({
    method: "GET",
    path: "/_emulate/foundry/personal-tokens",
    access: admin,
    summary: "List personal access tokens",
    description: "Never the token values.",
    responses: { 200: { description: "Every personal token.", content: json(z.object({ data: z.array(personalTokenSummarySchema) })) } },
  }),
  createPersonalToken: route({
    method: "POST",
    path: "/_emulate/foundry/personal-tokens",
    access: admin,
    summary: "Create a personal access token",
    description: `The token is shown in this answer only. ${adminNote}`,
    request: { required: true, content: json(createPersonalTokenSchema) },
    responses: { 201: { description: "The new token.", content: json(personalTokenSummarySchema.extend({ token: z.string() })) } },
    errors: [
      { status: 400, errorName: "UserDeleted", description: "The user is deactivated." },
      { status: 404, errorName: "UserNotFound", description: "No such user." },
    ],
  }),
  revokePersonalToken: route({
    method: "DELETE",
    path: "/_emulate/foundry/personal-tokens/:tokenId",
    access: admin,
    summary: "Revoke a personal access token",
    description: adminNote,
    responses: { 204: { description: "Revoked." } },
    errors: [{ status: 404, errorName: "PersonalTokenNotFound", description: "No such token." }],
  }),

  listAccessTokens: route({
    method: "GET",
    path: "/_emulate/foundry/tokens",
    access: adminRead,
    summary: "List active access tokens",
    description: accessTokenListDescription,
    responses: { 200: { description: "A page of tokens.", content: json(accessTokenPageSchema) } },
    errors: [{ status: 400, errorName: "Conjure:InvalidArgument", description: "A query parameter is invalid; `parameters.problems` names it." }],
  }),
  revokeAccessToken: simpleRoute(
    "POST",
    "/_emulate/foundry/tokens/:tokenId/revoke",
    admin,
    "Revoke an access token by id",
    "`{tokenId, revoked, revokedAt, changed}` (OAuth or personal token).",
    { tag: "credentials" },
  ),

  // Principals and clients
  listPrincipals: route({
    method: "GET",
    path: "/_emulate/foundry/principals",
    access: adminRead,
    summary: "List users and service principals",
    description: "Users first, then service principals, each by username.",
    responses: { 200: { description: "The principals (at most 500).", content: json(z.object({ data: z.array(principalSummarySchema) })) } },
  }),
  listOauthClients: route({
    method: "GET",
    path: "/_emulate/foundry/oauth-clients",
    access: adminRead,
    summary: "List OAuth clients",
    description: "Each client's registration and how many live secrets it has; never a secret.",
    responses: { 200: { description: "The clients (at most 500).", content: json(z.object({ data: z.array(oauthClientSummarySchema) })) } },
  }),

  // Request journal
  listRequests: simpleRoute(
    "GET",
    "/_emulate/requests",
    adminRead,
    "The request journal",
    "The newest requests first, filtered by the query (`limit`, `cursor`, `service`, `status`, `path`, `principal`); `nextCursor` pages on.",
  ),
  clearRequests: simpleRoute("DELETE", "/_emulate/requests", admin, "Clear the request journal", "Cleared.", { status: 204 }),

  // Dashboard
  dashboardRedirect: simpleRoute(
    "GET",
    "/_emulate",
    { kind: "public", reason: "the dashboard page holds no data; it asks for the admin token when the data routes need it" },
    "The dashboard",
    "The dashboard page (HTML); its data comes from the services' list routes.",
    { tag: "dashboard" },
  ),
  dashboardPage: withOperationId(
    "getDashboardPage",
    simpleRoute(
      "GET",
      "/_emulate/",
      { kind: "public", reason: "the dashboard page holds no data; it asks for the admin token when the data routes need it" },
      "The dashboard page",
      "The page (HTML); its script reads each service's list routes through the gateway (principals, OAuth clients, tokens, runtimes, deployed apps, jobs, the journal).",
      { tag: "dashboard" },
    ),
  ),
  dashboardScript: simpleRoute("GET", "/_emulate/dashboard/dashboard.js", { kind: "public", reason: "the dashboard's static script" }, "The dashboard's script", "JavaScript.", {
    tag: "dashboard",
  }),
  // The dashboard's earlier URL for the token list, kept (its job URLs are the compute service's: jobControlRoutes).
  dashboardTokens: route({
    method: "GET",
    path: "/_emulate/dashboard/data/tokens",
    access: adminRead,
    tag: "dashboard",
    summary: "Dashboard: tokens (alias)",
    description: `The same as GET /_emulate/foundry/tokens. ${accessTokenListDescription}`,
    responses: { 200: { description: "A page of tokens.", content: json(accessTokenPageSchema) } },
    errors: [{ status: 400, errorName: "Conjure:InvalidArgument", description: "A query parameter is invalid; `parameters.problems` names it." }],
  }),
} satisfies Record<string, RouteSpec>;
