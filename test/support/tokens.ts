import { eq } from "drizzle-orm";
import type { Platform } from "@foundry-emulator/bootstrap";
import { userIdFor } from "@foundry-emulator/config";
import { accessTokens, principals } from "@foundry-emulator/db";
import { recordAccessToken, signAccessToken } from "@foundry-emulator/tokens";

export interface MintedToken {
  token: string;
  tokenId: string;
  principalId: string;
}

export interface MintOptions {
  /** A seeded user (default `alice`); ignored when principalId is given. */
  username?: string;
  principalId?: string;
  scopes?: string[];
  clientId?: string | null;
  ttlSeconds?: number;
}

/**
 * An access token exactly as the auth service would issue it (a row, then the signed JWT),
 * without going through the OAuth routes.
 */
export async function mintAccessToken(platform: Platform, options: MintOptions = {}): Promise<MintedToken> {
  const principalId = options.principalId ?? userIdFor(options.username ?? "alice");
  const principal = platform.database.select().from(principals).where(eq(principals.id, principalId)).get();
  const claims = recordAccessToken(platform.database, {
    principalId,
    organizationRid: principal?.organizationRid ?? null,
    clientId: options.clientId ?? "confidential-app",
    grantId: null,
    scopes: options.scopes ?? ["api:read-data"],
    ttlSeconds: options.ttlSeconds ?? 3600,
    now: platform.now(),
  });
  const token = await signAccessToken(platform.signingKey, platform.issuer, claims);
  return { token, tokenId: claims.tokenId, principalId };
}

/** Revokes a token the way the revocation endpoint does: its row is marked revoked. */
export function revokeAccessToken(platform: Platform, tokenId: string): void {
  platform.database.update(accessTokens).set({ revokedAt: platform.now() }).where(eq(accessTokens.id, tokenId)).run();
}
