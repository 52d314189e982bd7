import type { Platform } from "@foundry-emulator/bootstrap";
import type { ClientDirectory } from "./oauth/oauth-clients";

/** What the auth routes are built from. */
export interface AuthDependencies {
  platform: Platform;
  clients: ClientDirectory;
}
