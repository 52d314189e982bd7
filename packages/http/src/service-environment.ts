import type { VerifiedToken } from "@foundry-emulator/tokens";

/** Hono variables shared by the services' apps. */
export interface ServiceBindings {
  Variables: {
    requestId: string;
    verifiedToken: VerifiedToken;
  };
}
