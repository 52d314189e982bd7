import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestHeader, requestTarget, setResponseHeader } from "./node-fast-path";

/** A request id header on every response, a handler that overrides one header and reads another. */
function createApp() {
  const app = new Hono();
  app.use(async (context, next) => {
    setResponseHeader(context, "X-Request-Id", "id-1");
    setResponseHeader(context, "Cache-Control", "private");
    await next();
  });
  app.get("/echo", (context) => context.json({ token: requestHeader(context, "x-token") ?? null, target: requestTarget(context) }, 200, { "Cache-Control": "no-store" }));
  app.get("/fails", () => {
    throw new Error("boom");
  });
  app.onError((_error, context) => context.json({ failed: true }, 500));
  return app;
}

async function expectBehaviour(send: (path: string, headers?: Record<string, string>) => Promise<Response>) {
  const echoed = await send("/echo?x=1", { "X-Token": "abc" });
  expect(echoed.headers.get("X-Request-Id")).toBe("id-1");
  expect(echoed.headers.get("Cache-Control")).toBe("no-store"); // the handler's own value wins
  const body = (await echoed.json()) as { token: string; target: string };
  expect(body.token).toBe("abc");
  expect(body.target.endsWith("/echo?x=1")).toBe(true);

  const failed = await send("/fails");
  expect(failed.status).toBe(500);
  expect(failed.headers.get("X-Request-Id")).toBe("id-1"); // error responses carry it too
  expect(failed.headers.get("Cache-Control")).toBe("private");
}

describe("node fast path", () => {
  let server: ReturnType<typeof serve>;
  let baseUrl: string;
  beforeAll(async () => {
    await new Promise<void>((listening) => {
      server = serve({ fetch: createApp().fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
        baseUrl = `http://127.0.0.1:${info.port}`;
        listening();
      });
    });
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  it("sets and reads headers on Node's own objects under @hono/node-server", async () => {
    await expectBehaviour((path, headers) => fetch(`${baseUrl}${path}`, { headers }));
  });

  it("falls back to Hono's context outside Node's server (app.request)", async () => {
    const app = createApp();
    await expectBehaviour((path, headers) => Promise.resolve(app.request(path, { headers })));
  });
});
