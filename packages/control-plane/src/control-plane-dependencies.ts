import type { Platform } from "@foundry-emulator/bootstrap";
import type { MountRoute, RequestJournal } from "@foundry-emulator/http";

/** What the whole-database routes are built from, in whichever service mounts them. */
export interface ControlPlaneDependencies {
  platform: Platform;
  mount: MountRoute;
  journal: RequestJournal;
  /** The mounting service, named in the health answer and the logs. */
  service: "auth" | "compute";
}
