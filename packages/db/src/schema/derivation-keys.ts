import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Random keys the emulator generates once per database (`id` names the use), from which it derives
 * values it must show again without storing them, such as a seeded runtime's generated
 * module auth token. They travel with a snapshot, like the signing key.
 */
export const derivationKeys = sqliteTable("derivation_keys", {
  id: text("id").primaryKey(),
  key: text("key").notNull(),
  createdAt: integer("created_at").notNull(),
});
