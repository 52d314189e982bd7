import { and, desc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { AccessTokenPage } from "@foundry-emulator/contract";
import { accessTokens, principals, type FoundryDatabase } from "@foundry-emulator/db";

export interface TokenFilters {
  /** A username: a user's or a service principal's (the client id of a client_credentials client). */
  principal?: string | undefined;
  clientId?: string | undefined;
  kind?: "oauth" | "personal" | undefined;
  cursor?: TokenCursor | undefined;
  limit: number;
}

/** Active tokens are ordered by expiry, latest first, then those that never expire: `(expiresAt, rowid)`. */
export interface TokenCursor {
  expiresAt: number | null;
  rowid: number;
}

export const encodeTokenCursor = (cursor: TokenCursor) => `${cursor.expiresAt ?? "never"}.${cursor.rowid}`;
export function decodeTokenCursor(text: string): TokenCursor | undefined {
  const match = /^(never|\d{1,16})\.(\d{1,16})$/.exec(text);
  if (!match) return undefined;
  return { expiresAt: match[1] === "never" ? null : Number(match[1]), rowid: Number(match[2]) };
}

// The implicit rowid is what access_tokens_expires orders equal expiries by: a walk along the index
// in (expires_at, rowid) order needs no sort, and the rowid makes the cursor exact.
const rowid = sql<number>`${accessTokens}.rowid`;

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/**
 * Access tokens that are neither revoked nor expired, latest expiry first, then those without an
 * expiry: two walks along `access_tokens_expires`, continued by the `(expiresAt, rowid)` cursor, each
 * stopping after a page. Never selected: the digest of a personal token.
 */
export function listActiveTokens(database: FoundryDatabase, now: number, filters: TokenFilters): AccessTokenPage {
  const conditions: SQL[] = [isNull(accessTokens.revokedAt)];
  if (filters.principal !== undefined) {
    const ids = database.select({ id: principals.id }).from(principals).where(eq(principals.username, filters.principal)).all();
    if (ids.length === 0) return { data: [], nextCursor: null };
    conditions.push(
      inArray(
        accessTokens.principalId,
        ids.map((row) => row.id),
      ),
    );
  }
  if (filters.clientId !== undefined) conditions.push(eq(accessTokens.clientId, filters.clientId));
  if (filters.kind !== undefined) conditions.push(eq(accessTokens.kind, filters.kind));
  const walk = (where: SQL | undefined, order: SQL[], limit: number) =>
    database
      .select({
        rowid,
        id: accessTokens.id,
        kind: accessTokens.kind,
        principalId: accessTokens.principalId,
        clientId: accessTokens.clientId,
        scopes: accessTokens.scopes,
        label: accessTokens.label,
        origin: accessTokens.origin,
        issuedAt: accessTokens.issuedAt,
        expiresAt: accessTokens.expiresAt,
        username: principals.username,
        principalKind: principals.kind,
      })
      .from(accessTokens)
      .leftJoin(principals, eq(principals.id, accessTokens.principalId))
      .where(and(...conditions, where))
      .orderBy(...order)
      .limit(limit)
      .all();

  const wanted = filters.limit + 1;
  const { cursor } = filters;
  const rows = [];
  if (cursor?.expiresAt !== null) {
    // Those that expire (after the cursor's): a cursor among those that never expire skips this walk.
    const after = cursor ? or(lt(accessTokens.expiresAt, cursor.expiresAt), and(eq(accessTokens.expiresAt, cursor.expiresAt), lt(rowid, cursor.rowid))) : undefined;
    rows.push(...walk(and(gt(accessTokens.expiresAt, now), after), [desc(accessTokens.expiresAt), desc(rowid)], wanted));
  }
  if (rows.length < wanted) {
    const after = cursor?.expiresAt === null ? lt(rowid, cursor.rowid) : undefined;
    rows.push(...walk(and(isNull(accessTokens.expiresAt), after), [desc(rowid)], wanted - rows.length));
  }
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  return {
    data: page.map((row) => ({
      tokenId: row.id,
      kind: row.kind,
      principal: { id: row.principalId, username: row.username, kind: row.principalKind },
      clientId: row.clientId,
      scopes: row.scopes,
      label: row.label,
      origin: row.origin,
      issuedAt: new Date(row.issuedAt).toISOString(),
      expiresAt: iso(row.expiresAt),
    })),
    nextCursor: rows.length > filters.limit && last ? encodeTokenCursor({ expiresAt: last.expiresAt, rowid: last.rowid }) : null,
  };
}
