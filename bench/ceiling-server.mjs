// The ceiling for this machine: a bare @hono/node-server route answering a constant JSON body.
// Run as its own process by bench/run.ts (PORT, HOST); every throughput is reported relative to it.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const body = { status: "ok", service: "ceiling" };
const app = new Hono();
app.get("/", (context) => context.json(body));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: process.env.HOST ?? "127.0.0.1" }, (info) => {
  process.stdout.write(`${JSON.stringify({ msg: "listening", port: info.port })}\n`);
});
process.once("SIGTERM", () => process.exit(0));
