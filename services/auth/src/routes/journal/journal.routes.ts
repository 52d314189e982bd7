import { Hono } from "hono";
import type { RequestJournal, ServiceBindings } from "@foundry-emulator/http";
import { clearRequestsHandler, listRequestsHandler } from "./journal.handlers";

/** Mounted at /_emulate: the request journal (access: routeAccessTable). */
export function journalRoutes(journal: RequestJournal) {
  return new Hono<ServiceBindings>().get("/requests", listRequestsHandler(journal)).delete("/requests", clearRequestsHandler(journal));
}
