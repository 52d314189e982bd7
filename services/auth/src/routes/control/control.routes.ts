import { Hono } from "hono";
import { requireAdminToken, type ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { mintTokenHandler, resetHandler } from "./control.handlers";

/** /_emulate: the control plane that tests, the testcontainers module and operators use. */
export function controlRoutes(dependencies: AuthDependencies) {
  return new Hono<ServiceBindings>()
    .use(requireAdminToken(dependencies.platform.environment.FOUNDRY_ADMIN_TOKEN))
    .post("/reset", resetHandler(dependencies))
    .post("/foundry/tokens", mintTokenHandler(dependencies));
}
