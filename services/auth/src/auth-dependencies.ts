import type { Platform } from "@foundry-emulator/bootstrap";
import type { MountRoute } from "@foundry-emulator/http";
import type { ClientDirectory } from "./oauth/oauth-clients";

/** What the auth routes are built from. */
export interface AuthDependencies {
  platform: Platform;
  clients: ClientDirectory;
  /** Registers a declared route (`@foundry-emulator/contract`) behind its access guard. */
  mount: MountRoute;
}
