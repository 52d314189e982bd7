import type { Context } from "hono";
import { z } from "zod";
import { parseQuery, type RequestJournal, type ServiceBindings } from "@foundry-emulator/http";

type JournalContext = Context<ServiceBindings>;

const journalQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, "the nextCursor of a previous page")
    .optional(),
  service: z.enum(["auth", "compute"]).optional(),
  status: z
    .string()
    .regex(/^([1-5]xx|error|[1-5]\d\d)$/, "2xx, 3xx, 4xx, 5xx, error or a status code")
    .optional(),
  path: z.string().min(1).max(500).optional(),
  principal: z.string().min(1).max(200).optional(),
});

/** GET /_emulate/requests: the newest journal entries first, filtered; `nextCursor` pages on. */
export const listRequestsHandler = (journal: RequestJournal) => (context: JournalContext) => {
  const query = parseQuery(context, journalQuerySchema);
  const page = journal.list({
    limit: query.limit,
    before: query.cursor === undefined ? undefined : Number(query.cursor),
    service: query.service,
    status: query.status,
    path: query.path,
    principal: query.principal,
  });
  context.header("Cache-Control", "no-store");
  return context.json({ ...page, capacity: journal.capacity });
};

/** DELETE /_emulate/requests: forget every entry. */
export const clearRequestsHandler = (journal: RequestJournal) => (context: JournalContext) => {
  journal.clear();
  return context.body(null, 204);
};
