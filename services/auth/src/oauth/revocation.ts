import { and, eq, isNull } from "drizzle-orm";
import { accessTokens, immediateTransaction, refreshTokens } from "@foundry-emulator/db";
import type { Platform } from "@foundry-emulator/bootstrap";
import { hashSecret } from "@foundry-emulator/tokens";
import { revokeGrant } from "./token-issuance";

/**
 * Revokes what a client presents: an access token revokes only itself; a refresh token revokes
 * its whole grant (itself, its successors and the access tokens issued with them).
 */
export async function revokeToken(platform: Platform, clientId: string, token: string, hint: string | undefined): Promise<void> {
  const { database } = platform;
  const now = platform.now();
  const revokeAsRefreshToken = () => {
    const row = database
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashSecret(token)))
      .get();
    if (!row || row.clientId !== clientId) return false;
    immediateTransaction(database, () => revokeGrant(database, row.grantId, "refresh token revoked", now));
    return true;
  };
  if (hint === "refresh_token" && revokeAsRefreshToken()) return;
  const tokenId = token.split(".").length === 3 ? await platform.tokenVerifier.tokenIdOfSignedJwt(token) : undefined;
  if (tokenId) {
    database
      .update(accessTokens)
      .set({ revokedAt: now })
      .where(and(eq(accessTokens.id, tokenId), eq(accessTokens.clientId, clientId), isNull(accessTokens.revokedAt)))
      .run();
    return;
  }
  revokeAsRefreshToken();
}
