import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Who a token speaks for: a human user, or the service principal of a confidential client. */
export const principals = sqliteTable(
  "principals",
  {
    id: text("id").primaryKey(), // UUID, the Foundry UserId
    kind: text("kind", { enum: ["user", "service"] }).notNull(),
    username: text("username").notNull(),
    displayName: text("display_name"),
    email: text("email"),
    givenName: text("given_name"),
    familyName: text("family_name"),
    realm: text("realm").notNull(),
    organizationRid: text("organization_rid"),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, string[]>>().notNull().default(sql`'{}'`),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    origin: text("origin", { enum: ["seed", "runtime"] }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [uniqueIndex("principals_kind_username").on(table.kind, table.username), index("principals_origin").on(table.origin)],
);
