import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const oauthClients = sqliteTable("oauth_clients", {
  clientId: text("client_id").primaryKey(),
  name: text("name"),
  // Fixed at registration: a confidential client stays confidential even while it holds no live secret.
  confidential: integer("confidential", { mode: "boolean" }).notNull(),
  redirectUris: text("redirect_uris", { mode: "json" }).$type<string[]>().notNull(),
  grantTypes: text("grant_types", { mode: "json" }).$type<string[]>().notNull(),
  allowedScopes: text("allowed_scopes", { mode: "json" }).$type<string[]>().notNull(),
  origin: text("origin", { enum: ["seed", "runtime"] }).notNull(),
  createdAt: integer("created_at").notNull(),
});

/** A client may hold several live secrets at once (rotation); only their hashes are kept. */
export const oauthClientSecrets = sqliteTable(
  "oauth_client_secrets",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauthClients.clientId, { onDelete: "cascade" }),
    secretHash: text("secret_hash").notNull(),
    origin: text("origin", { enum: ["seed", "runtime"] }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("oauth_client_secrets_client").on(table.clientId)],
);
