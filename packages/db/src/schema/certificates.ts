import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The emulator's own certificate authority and the server certificates it signed, kept with the
 * data so restarts (and every process sharing the file) present the same chain. `id` is `ca` for
 * the authority and `server:<digest of the names>` for a server certificate.
 */
export const certificates = sqliteTable("certificates", {
  id: text("id").primaryKey(),
  certificatePem: text("certificate_pem").notNull(),
  privateKeyPem: text("private_key_pem").notNull(),
  subjectAltNames: text("subject_alt_names", { mode: "json" }).$type<string[]>().notNull(),
  notAfter: integer("not_after").notNull(),
  createdAt: integer("created_at").notNull(),
});
