import { Hono } from "hono";
import { controlPlaneRoutes } from "@foundry-emulator/contract";
import type { RequestJournal, ServiceBindings } from "@foundry-emulator/http";
import type { AuthDependencies } from "../../auth-dependencies";
import { clearRequestsHandler, listRequestsHandler } from "./journal.handlers";

/** /_emulate/requests: the request journal. */
export function journalRoutes({ mount }: AuthDependencies, journal: RequestJournal) {
  const router = new Hono<ServiceBindings>();
  mount(router, controlPlaneRoutes.listRequests, listRequestsHandler(journal));
  mount(router, controlPlaneRoutes.clearRequests, clearRequestsHandler(journal));
  return router;
}
