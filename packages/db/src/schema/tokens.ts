import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One grant = one token family: a code redemption and its refresh chain, or one client_credentials issuance. */
export const grants = sqliteTable(
  "grants",
  {
    id: text("id").primaryKey(),
    grantType: text("grant_type").notNull(),
    clientId: text("client_id").notNull(),
    principalId: text("principal_id").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (table) => [index("grants_principal").on(table.principalId)],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    grantId: text("grant_id")
      .notNull()
      .references(() => grants.id, { onDelete: "cascade" }),
    clientId: text("client_id").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    rotatedAt: integer("rotated_at"),
    revokedAt: integer("revoked_at"),
  },
  (table) => [index("refresh_tokens_grant").on(table.grantId)],
);

/** Access tokens are JWTs; the row (keyed by the `jti`) is what makes revocation and expiry enforceable. */
export const accessTokens = sqliteTable(
  "access_tokens",
  {
    id: text("id").primaryKey(), // the JWT's jti, as a UUID
    kind: text("kind", { enum: ["oauth", "personal"] })
      .notNull()
      .default("oauth"),
    grantId: text("grant_id").references(() => grants.id, { onDelete: "cascade" }),
    principalId: text("principal_id").notNull(),
    clientId: text("client_id"),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    // Personal tokens are opaque strings: found by hash. OAuth JWTs are found by jti; no hash needed.
    tokenHash: text("token_hash"),
    label: text("label"),
    origin: text("origin", { enum: ["seed", "runtime"] })
      .notNull()
      .default("runtime"),
    issuedAt: integer("issued_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (table) => [index("access_tokens_grant").on(table.grantId), index("access_tokens_expires").on(table.expiresAt), index("access_tokens_token_hash").on(table.tokenHash)],
);

/** The ES256 key that signs access tokens; kept here so restarts and the other service verify them. */
export const signingKeys = sqliteTable("signing_keys", {
  id: text("id").primaryKey(),
  algorithm: text("algorithm").notNull(),
  privateJwk: text("private_jwk").notNull(),
  publicJwk: text("public_jwk").notNull(),
  createdAt: integer("created_at").notNull(),
});
