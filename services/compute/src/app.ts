import type { Platform } from "@foundry-emulator/bootstrap";
import { createServiceApp } from "@foundry-emulator/http";

/** The compute service: runtime sessions for module containers, and the contour job routes. */
export function createComputeApp(_platform: Platform) {
  const app = createServiceApp();
  app.get("/_emulate/health", (context) => context.json({ status: "ok", service: "compute" }));
  return app;
}
