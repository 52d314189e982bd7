import type { Platform } from "@foundry-emulator/bootstrap";
import { createServiceApp } from "@foundry-emulator/http";

/** The auth service: Multipass OAuth 2.0, the Admin API's current user, and the control plane. */
export function createAuthApp(_platform: Platform) {
  const app = createServiceApp();
  app.get("/_emulate/health", (context) => context.json({ status: "ok", service: "auth" }));
  return app;
}
