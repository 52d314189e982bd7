import type { Platform } from "@foundry-emulator/bootstrap";
import type { MountRoute } from "@foundry-emulator/http";
import type { TlsMaterial } from "@foundry-emulator/tls";
import type { JobQueue } from "./queue/job-queue";
import type { Sweeper } from "./queue/sweeper";
import type { WakeUps } from "./queue/wake-ups";
import type { ComputeSettings } from "./settings";

/** What the compute routes are built from. */
export interface ComputeDependencies {
  platform: Platform;
  settings: ComputeSettings;
  queue: JobQueue;
  wakeUps: WakeUps;
  sweeper: Sweeper;
  /** Present when the HTTPS listener is configured (FOUNDRY_TLS_PORT). */
  tls: TlsMaterial | undefined;
  /** Registers a declared route (`@foundry-emulator/contract`) behind its access guard. */
  mount: MountRoute;
}
