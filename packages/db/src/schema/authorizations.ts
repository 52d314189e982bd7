import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A validated /authorize request waiting for the user picker; the callback names only its id. */
export const authorizationRequests = sqliteTable(
  "authorization_requests",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    redirectUriSent: integer("redirect_uri_sent", { mode: "boolean" }).notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    state: text("state"),
    codeChallenge: text("code_challenge"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [index("authorization_requests_expires").on(table.expiresAt)],
);

export const authorizationCodes = sqliteTable(
  "authorization_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    clientId: text("client_id").notNull(),
    principalId: text("principal_id").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    redirectUriSent: integer("redirect_uri_sent", { mode: "boolean" }).notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    codeChallenge: text("code_challenge"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    // The grant its redemption created, so that a replay can revoke every token issued from it.
    grantId: text("grant_id"),
  },
  (table) => [index("authorization_codes_expires").on(table.expiresAt)],
);
