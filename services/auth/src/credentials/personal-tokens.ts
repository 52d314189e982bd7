import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { PersonalTokenSummary } from "@foundry-emulator/contract";
import { accessTokens, principals } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { foundryErrors } from "@foundry-emulator/http";
import { hashSecret, randomSecret } from "@foundry-emulator/tokens";

/**
 * Personal access tokens (development only): opaque values bound to a user and exactly their
 * scopes, accepted wherever an OAuth access token is. Only their digest is stored.
 */
export function listPersonalTokens(platform: Platform): PersonalTokenSummary[] {
  return (
    platform.database
      .select({ token: accessTokens, username: principals.username })
      .from(accessTokens)
      .innerJoin(principals, eq(principals.id, accessTokens.principalId))
      // Only personal tokens have a digest: the condition lets SQLite walk access_tokens_token_hash
      // instead of every access token (one per dispatched job).
      .where(and(isNotNull(accessTokens.tokenHash), eq(accessTokens.kind, "personal")))
      .orderBy(desc(accessTokens.issuedAt))
      .all()
      .map(({ token, username }) => ({
        tokenId: token.id,
        username,
        scopes: token.scopes,
        label: token.label,
        origin: token.origin,
        createdAt: new Date(token.issuedAt).toISOString(),
        expiresAt: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
        revoked: token.revokedAt !== null,
      }))
  );
}

export function createPersonalToken(
  platform: Platform,
  request: { username: string; scopes: string[]; label?: string | undefined; expiresInSeconds?: number | undefined },
): PersonalTokenSummary & { token: string } {
  const user = platform.database
    .select()
    .from(principals)
    .where(and(eq(principals.kind, "user"), eq(principals.username, request.username)))
    .get();
  if (!user) throw foundryErrors.notFound("UserNotFound", { username: request.username });
  if (!user.active) throw foundryErrors.invalidArgument("UserDeleted", { principalId: user.id }, "The user is deactivated.");
  const token = randomSecret();
  const now = platform.now();
  const row = {
    id: crypto.randomUUID(),
    kind: "personal" as const,
    principalId: user.id,
    scopes: request.scopes,
    tokenHash: hashSecret(token),
    label: request.label ?? null,
    origin: "runtime" as const,
    issuedAt: now,
    expiresAt: request.expiresInSeconds ? now + request.expiresInSeconds * 1000 : null,
  };
  platform.database.insert(accessTokens).values(row).run();
  return {
    token,
    tokenId: row.id,
    username: user.username,
    scopes: row.scopes,
    label: row.label,
    origin: row.origin,
    createdAt: new Date(now).toISOString(),
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
    revoked: false,
  };
}

export function revokePersonalToken(platform: Platform, tokenId: string): void {
  const changed = platform.database
    .update(accessTokens)
    .set({ revokedAt: platform.now() })
    .where(and(eq(accessTokens.id, tokenId), eq(accessTokens.kind, "personal")))
    .run().changes;
  if (changed === 0) throw foundryErrors.notFound("PersonalTokenNotFound", { tokenId });
}
