import type { VerifiedToken } from "@foundry-emulator/tokens";

/** Hono variables shared by the services' apps. */
export interface ServiceBindings {
  Variables: {
    requestId: string;
    verifiedToken: VerifiedToken;
    /** The request came through a trusted proxy (FOUNDRY_TRUSTED_PROXIES): its X-Forwarded-* headers count. */
    forwardingTrusted: boolean;
  };
}
