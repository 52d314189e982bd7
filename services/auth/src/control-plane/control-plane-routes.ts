import { z } from "zod";
import type { ClientSecretSummary } from "../credentials/client-secrets";
import type { PersonalTokenSummary } from "../credentials/personal-tokens";
import type { tokenResponseBody } from "../oauth/token-issuance";
import { mintTokenRequestSchema } from "../routes/control/control.handlers";
import { createPersonalTokenSchema } from "../routes/control/credentials.handlers";
import { appliedSeedResponseSchema, seedMediaTypes, seedRequestSchema, seedSummarySchema } from "../routes/control/seed.handlers";
import { restoredResponseSchema, snapshotMediaType } from "../routes/control/snapshot.handlers";
import { controlPlaneRoute, minimalRoute, type ControlPlaneRoute } from "./control-plane-route";

/*
 * Every /_emulate route, as the OpenAPI document (GET /_emulate/openapi.json) describes it.
 * Request schemas are the objects the handlers parse with; response schemas are checked against
 * the handlers' types below. A test fails when a route of `routeAccessTable` is missing here (or
 * an entry here names no route), so adding a route means adding an entry: `minimalRoute(...)` is
 * enough to start with.
 */

// Wire shapes of the existing control routes.
const healthResponseSchema = z.object({ status: z.literal("ok"), service: z.string() });
const resetResponseSchema = z.object({ status: z.literal("reset"), seed: seedSummarySchema.nullable() });
const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number().int(),
  scope: z.string(),
  refresh_token: z.string().optional(),
});
const mintedTokenResponseSchema = tokenResponseSchema.extend({ user_id: z.string() });
const clientSecretSummarySchema = z.object({ secretId: z.string(), origin: z.enum(["seed", "runtime"]), createdAt: z.string() });
const personalTokenSummarySchema = z.object({
  tokenId: z.string(),
  username: z.string(),
  scopes: z.array(z.string()),
  label: z.string().nullable(),
  origin: z.enum(["seed", "runtime"]),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revoked: z.boolean(),
});

// Compile-time checks that the schemas above say what the handlers return.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape = <Check extends true>(): Check | void => undefined;
sameShape<Same<z.infer<typeof clientSecretSummarySchema>, ClientSecretSummary>>();
sameShape<Same<z.infer<typeof personalTokenSummarySchema>, PersonalTokenSummary>>();
sameShape<Same<z.infer<typeof tokenResponseSchema>, Omit<Awaited<ReturnType<typeof tokenResponseBody>>, "refresh_token"> & { refresh_token?: string | undefined }>>();

const json = (schema: z.ZodType) => ({ "application/json": schema });
const adminNote = "Needs `Authorization: Bearer <FOUNDRY_ADMIN_TOKEN>` when the emulator has one.";
const seedContent = Object.fromEntries(seedMediaTypes.map((mediaType) => [mediaType, seedRequestSchema]));

const runtimes = "/_emulate/foundry/compute-modules/runtimes";

export const controlPlaneRoutes: readonly ControlPlaneRoute[] = [
  // Emulator
  controlPlaneRoute({
    method: "GET",
    path: "/_emulate/health",
    summary: "Health check",
    responses: { 200: { description: "The service answers.", content: json(healthResponseSchema) } },
  }),
  controlPlaneRoute({
    method: "GET",
    path: "/_emulate/openapi.json",
    summary: "This document",
    description: "OpenAPI 3.1 description of the control plane, generated from the zod schemas the handlers use.",
    responses: { 200: { description: "The OpenAPI document.", content: json(z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) })) } },
  }),
  controlPlaneRoute({
    method: "GET",
    path: "/_emulate/ca.pem",
    summary: "The emulator's CA certificate",
    description: "What clients of the HTTPS listener (FOUNDRY_TLS_PORT) must trust.",
    responses: { 200: { description: "PEM certificate.", content: { "application/x-pem-file": { text: "PEM" } } } },
  }),
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/reset",
    summary: "Back to the start-up seed",
    description: `Wipes run-time state (tokens, codes, jobs, what run-time seeds and the control plane added) and re-applies the start-up seed, in one transaction. ${adminNote}`,
    responses: { 200: { description: "Reset; the start-up seed's summary (null without a seed).", content: json(resetResponseSchema) } },
  }),
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/seed",
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
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/snapshot",
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
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/restore",
    summary: "Restore a snapshot",
    description:
      "Replaces the emulator's state with a snapshot's, atomically. The file is validated (SQLite, PRAGMA integrity_check, this emulator's tables and migration journal) and migrated to this build's schema before anything changes. " +
      "The certificates and the request journal of the running environment are kept; the signing key comes with the snapshot. " +
      adminNote,
    request: { description: "A snapshot file, as POST /_emulate/snapshot returns it.", required: true, content: { [snapshotMediaType]: { binary: "SQLite database" }, "application/octet-stream": { binary: "SQLite database" } } },
    responses: { 200: { description: "Restored.", content: json(restoredResponseSchema) } },
    errors: [
      { status: 400, errorName: "InvalidSnapshot", description: "Not SQLite, corrupt, empty, or not a foundry-emulator database; nothing was changed." },
      { status: 409, errorName: "SnapshotSchemaTooNew", description: "Written by a newer foundry-emulator (migrations this build does not know); nothing was changed." },
      { status: 413, errorName: "Conjure:RequestEntityTooLarge", description: "Larger than FOUNDRY_MAX_SNAPSHOT_BYTES." },
    ],
  }),

  // Credentials
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/foundry/tokens",
    summary: "Mint an access token",
    description: `An access token for a user or a client's service principal with exactly the given scopes, without a browser. ${adminNote}`,
    request: { required: true, content: json(mintTokenRequestSchema) },
    responses: { 200: { description: "The token endpoint's answer, plus the principal's id.", content: json(mintedTokenResponseSchema) } },
    errors: [
      { status: 400, errorName: "UserDeleted", description: "The principal is deactivated." },
      { status: 404, errorName: "UserNotFound", description: "No such user (or `ServicePrincipalNotFound`)." },
    ],
  }),
  controlPlaneRoute({
    method: "GET",
    path: "/_emulate/foundry/oauth-clients/:clientId/secrets",
    summary: "List a client's secrets",
    description: "Ids and origins, never the values.",
    responses: { 200: { description: "The client's live secrets.", content: json(z.object({ data: z.array(clientSecretSummarySchema) })) } },
    errors: [
      { status: 400, errorName: "OAuthClientIsPublic", description: "A public client has no secrets." },
      { status: 404, errorName: "OAuthClientNotFound", description: "No such client." },
    ],
  }),
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/foundry/oauth-clients/:clientId/secrets",
    summary: "Add a client secret (rotation)",
    description: `The new secret is shown in this answer only. ${adminNote}`,
    responses: { 201: { description: "The new secret.", content: json(clientSecretSummarySchema.extend({ clientSecret: z.string() })) } },
    errors: [
      { status: 400, errorName: "OAuthClientIsPublic", description: "A public client has no secrets." },
      { status: 404, errorName: "OAuthClientNotFound", description: "No such client." },
    ],
  }),
  controlPlaneRoute({
    method: "DELETE",
    path: "/_emulate/foundry/oauth-clients/:clientId/secrets/:secretId",
    summary: "Remove a client secret",
    description: `Token requests with it fail from now on; tokens already issued stay valid. ${adminNote}`,
    responses: { 204: { description: "Removed." } },
    errors: [
      { status: 400, errorName: "LastClientSecret", description: "The last secret cannot be removed." },
      { status: 404, errorName: "OAuthClientSecretNotFound", description: "No such secret (or `OAuthClientNotFound`)." },
    ],
  }),
  controlPlaneRoute({
    method: "GET",
    path: "/_emulate/foundry/personal-tokens",
    summary: "List personal access tokens",
    description: "Never the token values.",
    responses: { 200: { description: "Every personal token.", content: json(z.object({ data: z.array(personalTokenSummarySchema) })) } },
  }),
  controlPlaneRoute({
    method: "POST",
    path: "/_emulate/foundry/personal-tokens",
    summary: "Create a personal access token",
    description: `The token is shown in this answer only. ${adminNote}`,
    request: { required: true, content: json(createPersonalTokenSchema) },
    responses: { 201: { description: "The new token.", content: json(personalTokenSummarySchema.extend({ token: z.string() })) } },
    errors: [
      { status: 400, errorName: "UserDeleted", description: "The user is deactivated." },
      { status: 404, errorName: "UserNotFound", description: "No such user." },
    ],
  }),
  controlPlaneRoute({
    method: "DELETE",
    path: "/_emulate/foundry/personal-tokens/:tokenId",
    summary: "Revoke a personal access token",
    description: adminNote,
    responses: { 204: { description: "Revoked." } },
    errors: [{ status: 404, errorName: "PersonalTokenNotFound", description: "No such token." }],
  }),

  // Compute-module runtime (the compute service; its schemas live there)
  controlPlaneRoute({
    method: "POST",
    path: runtimes,
    summary: "Open a runtime session",
    description: `Creates (or resets) the session a compute-module container polls; the answer is the module's complete environment. ${adminNote}`,
    responses: {
      200: { description: "An existing session, reset: runtime id, Module-Auth-Token and endpoints." },
      201: { description: "A new session: runtime id, Module-Auth-Token and endpoints." },
    },
  }),
  minimalRoute("GET", `${runtimes}/:runtimeId/job`, "Long-poll for the next job", "The next job; 204 when none arrived within FOUNDRY_JOB_POLL_WAIT_MS."),
  minimalRoute("POST", `${runtimes}/:runtimeId/schemas`, "Post the module's function schemas", "Stored (replacing the previous ones)."),
  minimalRoute("POST", `${runtimes}/:runtimeId/results/:jobId`, "Post a job's result", "Stored; the job is finished."),
  minimalRoute("POST", `${runtimes}/:runtimeId/restart`, "Report a module restart", "Jobs the module held are re-queued or failed."),

  // Jobs and tokens, from the dashboard (or an operator)
  minimalRoute("POST", "/_emulate/foundry/compute-modules/jobs/:jobId/cancel", "Cancel a job", "The job's summary, canceled (again 200 when already canceled; 409 `ComputeModules:JobAlreadyFinished` once it succeeded or failed)."),
  minimalRoute("GET", "/_emulate/foundry/compute-modules/jobs/:jobId/result", "A job's result", "The result the module posted, as it posted it."),
  minimalRoute("POST", "/_emulate/foundry/tokens/:tokenId/revoke", "Revoke an access token by id", "`{tokenId, revoked, revokedAt, changed}` (OAuth or personal token).", 200, "credentials"),

  // Request journal
  minimalRoute("GET", "/_emulate/requests", "The request journal", "The newest requests first, filtered by the query (`limit`, `cursor`, `service`, `status`, `path`, `principal`); `nextCursor` pages on."),
  minimalRoute("DELETE", "/_emulate/requests", "Clear the request journal", "Cleared.", 204),

  // Dashboard
  minimalRoute("GET", "/_emulate", "The dashboard", "The dashboard page (HTML); its data comes from the routes below.", 200, "dashboard"),
  minimalRoute("GET", "/_emulate/dashboard/dashboard.js", "The dashboard's script", "JavaScript.", 200, "dashboard"),
  minimalRoute("GET", "/_emulate/dashboard/data/overview", "Dashboard: overview", "Principals, OAuth clients (never secrets), runtimes, deployed-app bindings and personal tokens (never values).", 200, "dashboard"),
  minimalRoute("GET", "/_emulate/dashboard/data/tokens", "Dashboard: tokens", "Access tokens, latest expiry first then those that never expire, filtered by the query; `nextCursor` pages on.", 200, "dashboard"),
  minimalRoute("GET", "/_emulate/dashboard/data/jobs", "Dashboard: jobs", "Compute-module jobs, newest first, filtered by the query; `nextCursor` pages on.", 200, "dashboard"),
  minimalRoute("GET", "/_emulate/dashboard/data/jobs/:jobId", "Dashboard: one job", "The job's details.", 200, "dashboard"),
];
