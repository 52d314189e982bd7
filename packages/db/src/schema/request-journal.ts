import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The request journal: the last FOUNDRY_JOURNAL_SIZE requests of every process sharing the
 * database (the compose stack's auth and compute services write here in batches). Never a secret:
 * the path's sensitive query values are masked before a row is written, and no header or body is kept.
 */
export const requestJournal = sqliteTable("request_journal", {
  // Monotonic: newest last; the table is trimmed to the newest N rows.
  sequence: integer("sequence").primaryKey({ autoIncrement: true }),
  at: integer("at").notNull(),
  service: text("service").notNull(),
  requestId: text("request_id").notNull(),
  method: text("method").notNull(),
  path: text("path").notNull(),
  status: integer("status").notNull(),
  durationMs: real("duration_ms").notNull(),
  principal: text("principal"),
  clientId: text("client_id"),
  grantType: text("grant_type"),
  oauthError: text("oauth_error"),
});
