import { z } from "zod";
import { seedDocumentSchema } from "@foundry-emulator/config";

/*
 * The bodies of the /_emulate routes: handlers parse and answer with these very objects, and the
 * OpenAPI document renders them.
 */

export const healthResponseSchema = z.object({ status: z.literal("ok"), service: z.string() });

// Seeds and resets
export const seedRequestSchema = seedDocumentSchema;
/** Media types POST /_emulate/seed reads (all parsed the same way: JSON is YAML). */
export const seedMediaTypes = ["application/yaml", "application/x-yaml", "text/yaml", "application/json"] as const;
export const seedSummarySchema = z.object({
  users: z.number().int(),
  servicePrincipals: z.number().int(),
  oauthClients: z.number().int(),
  runtimes: z.number().int(),
  deployedApps: z.number().int(),
  personalTokens: z.number().int(),
});
export const appliedSeedResponseSchema = z.object({
  status: z.literal("applied"),
  /** How many entries of each kind the document declared (each added or updated). */
  seed: seedSummarySchema,
  /** What the document says in a way that works but should be said otherwise (an earlier key, an ignored section). */
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
});
export const resetResponseSchema = z.object({ status: z.literal("reset"), seed: seedSummarySchema.nullable() });

// Snapshots
/** The media type of a snapshot (any other, or none, is accepted on restore: the content is checked). */
export const snapshotMediaType = "application/vnd.sqlite3";
export const restoredResponseSchema = z.object({
  status: z.literal("restored"),
  /** The newest migration the snapshot had. */
  schemaVersion: z.string(),
  /** Migrations applied to bring it to this build's schema (0 for a snapshot of this build). */
  migrationsApplied: z.number().int(),
  /** Rows restored per table. */
  tables: z.record(z.string(), z.number().int()),
  /** Tables left as they were: the environment's TLS identity and request journal (and the signing key when the snapshot has none). */
  kept: z.array(z.string()),
  /** Where the access-token signing key now comes from. */
  signingKey: z.enum(["snapshot", "kept"]),
});

// Credentials
const scopeListSchema = z.array(z.string().min(1).regex(/^\S+$/)).default([]);
export const mintTokenRequestSchema = z
  .strictObject({
    /** A seeded (or created) human user... */
    username: z.string().min(1).optional(),
    /** ...or the service principal of a client (client_credentials identity). */
    client_id: z.string().min(1).optional(),
    scopes: scopeListSchema,
    expires_in: z
      .number()
      .int()
      .positive()
      .max(365 * 24 * 3600)
      .optional(),
  })
  .refine((body) => Boolean(body.username) !== Boolean(body.client_id), { message: "give exactly one of username or client_id" });
export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number().int(),
  scope: z.string(),
  refresh_token: z.string().optional(),
});
export const mintedTokenResponseSchema = tokenResponseSchema.extend({ user_id: z.string() });
export const clientSecretSummarySchema = z.object({ secretId: z.string(), origin: z.enum(["seed", "runtime"]), createdAt: z.string() });
export const createPersonalTokenSchema = z.strictObject({
  username: z.string().min(1),
  scopes: scopeListSchema,
  label: z.string().max(200).optional(),
  expires_in: z.number().int().positive().optional(),
});
export const personalTokenSummarySchema = z.object({
  tokenId: z.string(),
  username: z.string(),
  scopes: z.array(z.string()),
  label: z.string().nullable(),
  origin: z.enum(["seed", "runtime"]),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revoked: z.boolean(),
});

export type ClientSecretSummary = z.infer<typeof clientSecretSummarySchema>;
export type PersonalTokenSummary = z.infer<typeof personalTokenSummarySchema>;
