// The compose stack's gateway without Docker: Debian's nginx, run by the test with the configuration
// rendered from the route table, in front of the auth and compute services started separately in
// this process (two platforms on one database file, as the two containers share one volume).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPlatform, listen, type Platform, type RunningServer } from "@foundry-emulator/bootstrap";
import { loadEnvironment } from "@foundry-emulator/config";
import { createAuthApp } from "@foundry-emulator/auth";
import { createComputeApp } from "@foundry-emulator/compute";
import { routeTable, type ServiceName } from "@foundry-emulator/gateway";
import { composeNginxOptions, renderNginxHttpPrelude, renderNginxServer, type NginxConfigOptions } from "../../services/gateway/src/nginx/render-nginx-config";
import { composeNginxTemplatePath } from "../../services/gateway/src/nginx/paths";
import { generateCertificateAuthority, generateServerCertificate } from "@foundry-emulator/tls";
import { defaultSeedPath, freePort } from "../support/emulator";
import { mintAccessToken } from "../support/tokens";
import { nginxDirectory, nginxMainConfig, requireNginx, startNginx, testNginxConfig, type NginxProcess } from "./nginx-process";

const defaults = loadEnvironment({});
const pollWaitMs = 1500;
const deployedAppRid = "ri.foundry.main.deployed-app.agent-loop";
const moduleAuthToken = "local-module-auth-token";
const multiplexer = "/contour-backend-multiplexer/api/module-group-multiplexer";
const runtimeBase = "/_emulate/foundry/compute-modules/runtimes/agent-loop";

interface Seen {
  service: ServiceName | "stub";
  path: string;
  headers: IncomingHttpHeaders | Record<string, string>;
}

/** Each service's answers carry X-Served-By, and the last request it saw is kept. */
function tagged(service: ServiceName, app: { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> }, seen: Seen[]) {
  return {
    fetch: async (request: Request) => {
      seen.push({ service, path: new URL(request.url).pathname, headers: Object.fromEntries(request.headers) });
      const response = await (app.fetch as (request: Request) => Response | Promise<Response>)(request);
      const copy = new Response(response.body, response);
      copy.headers.set("X-Served-By", service);
      return copy;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with `value` when `promise` settles in time, else with "timeout". */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([promise, sleep(ms).then(() => "timeout" as const)]);
}

describe("the gateway's nginx configuration, run by Debian's nginx", () => {
  const seen: Seen[] = [];
  const databaseDirectory = mkdtempSync(join(tmpdir(), "foundry-emulator-gateway-"));
  let platforms: Platform[] = [];
  let services: RunningServer[] = [];
  let stub: Server;
  let nginx: NginxProcess;
  const ports = { gateway: 0, stubGateway: 0, shortTimeout: 0, authDown: 0, computeDown: 0, dead: 0, stub: 0 };
  let gateway = "";
  let deadService: NetServer | undefined;

  // Hooks the stub uses to prove streaming in both directions.
  let uploadFirstChunk: (() => void) | undefined;
  let downloadFirstChunkRead: (() => void) | undefined;

  beforeAll(async () => {
    requireNginx();
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    gateway = `http://127.0.0.1:${ports.gateway}`;
    // The "service down" upstream: held by a listener that drops every connection, so no other test
    // file's server can take the port meanwhile and answer in its place.
    deadService = createNetServer((socket) => socket.destroy());
    await new Promise<void>((done) => deadService!.listen(ports.dead, "127.0.0.1", done));

    const environment = loadEnvironment({
      PORT: "0",
      HOST: "127.0.0.1",
      FOUNDRY_DB: join(databaseDirectory, "foundry.db"),
      FOUNDRY_SEED: defaultSeedPath,
      FOUNDRY_PUBLIC_URL: gateway,
      FOUNDRY_JOB_POLL_WAIT_MS: String(pollWaitMs),
      LOG_LEVEL: "silent",
    });
    const authPlatform = await createPlatform(environment);
    const computePlatform = await createPlatform(environment);
    platforms = [authPlatform, computePlatform];
    const auth = await listen(tagged("auth", createAuthApp(authPlatform), seen), 0, "127.0.0.1");
    const compute = await listen(tagged("compute", createComputeApp(computePlatform), seen), 0, "127.0.0.1");
    services = [auth, compute];

    stub = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://stub");
      seen.push({ service: "stub", path: url.pathname, headers: request.headers });
      if (url.pathname === "/_emulate/health") {
        response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "ok", service: "compute" }));
      } else if (url.pathname.endsWith("/hold")) {
        setTimeout(() => response.writeHead(200, { "Content-Type": "text/plain" }).end("held"), Number(url.searchParams.get("ms")));
      } else if (url.pathname.endsWith("/stream")) {
        // Sends the first chunk, then waits (at most 3 s) for the client to have read it.
        response.writeHead(200, { "Content-Type": "application/octet-stream" });
        response.write("first\n");
        const read = new Promise<void>((resolve) => (downloadFirstChunkRead = resolve));
        void within(read, 3000).then((outcome) => response.end(outcome === "timeout" ? "second (after timeout)\n" : "second\n"));
      } else if (url.pathname.endsWith("/upload")) {
        let bytes = 0;
        request.on("data", (chunk: Buffer) => {
          if (bytes === 0) uploadFirstChunk?.();
          bytes += chunk.length;
        });
        request.on("end", () => response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ bytes })));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => stub.listen(ports.stub, "127.0.0.1", resolve));

    const limits = { maxBodyBytes: defaults.FOUNDRY_MAX_BODY_BYTES, maxResultBytes: defaults.FOUNDRY_MAX_RESULT_BYTES, maxSnapshotBytes: defaults.FOUNDRY_MAX_SNAPSHOT_BYTES };
    const composeTimeout = composeNginxOptions().readTimeoutSeconds;
    const server = (listenPort: number, upstreams: NginxConfigOptions["upstreams"], readTimeoutSeconds = composeTimeout) =>
      renderNginxServer({ listen: `127.0.0.1:${listenPort}`, upstreams, readTimeoutSeconds, ...limits });
    const at = (port: number) => `127.0.0.1:${port}`;
    const directory = nginxDirectory();
    const config = nginxMainConfig(directory, [
      renderNginxHttpPrelude(),
      // The real services, exactly as the compose stack routes them.
      server(ports.gateway, { auth: at(auth.port), compute: at(compute.port) }),
      // A stub upstream that holds and streams, to show what nginx does with slow traffic.
      server(ports.stubGateway, { auth: at(ports.stub), compute: at(ports.stub) }),
      // The same with a read timeout shorter than the hold: nginx, not the service, ends it.
      server(ports.shortTimeout, { auth: at(ports.stub), compute: at(ports.stub) }, 1),
      server(ports.authDown, { auth: at(ports.dead), compute: at(ports.stub) }),
      server(ports.computeDown, { auth: at(ports.stub), compute: at(ports.dead) }),
    ]);
    nginx = await startNginx(directory, config, ports.gateway);
  });

  afterAll(async () => {
    deadService?.close();
    await nginx?.stop();
    await new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve()));
    stub?.closeAllConnections();
    await Promise.all(services.map((service) => service.close()));
    for (const platform of platforms) platform.database.$client.close();
    rmSync(databaseDirectory, { recursive: true, force: true });
  });

  it("passes nginx -t, and so does the committed compose template with its variables set", async () => {
    expect(await testNginxConfig(nginx.directory, nginx.configPath)).toContain("test is successful");

    const directory = nginxDirectory();
    try {
      // The TLS listener reads the certificate the services write into the shared volume.
      const server = generateServerCertificate(generateCertificateAuthority(), ["localhost"]);
      writeFileSync(join(directory, "server.pem"), server.certificatePem);
      writeFileSync(join(directory, "server-key.pem"), server.privateKeyPem);
      const template = readFileSync(composeNginxTemplatePath, "utf8")
        .replaceAll("${FOUNDRY_MAX_BODY_BYTES}", String(defaults.FOUNDRY_MAX_BODY_BYTES))
        .replaceAll("${FOUNDRY_MAX_RESULT_BYTES}", String(defaults.FOUNDRY_MAX_RESULT_BYTES))
        .replaceAll("${FOUNDRY_MAX_SNAPSHOT_BYTES}", String(defaults.FOUNDRY_MAX_SNAPSHOT_BYTES))
        .replaceAll("/data/tls/", `${directory}/`);
      expect(template).not.toMatch(/\$\{[A-Z_]+\}/);
      const configPath = join(directory, "nginx.conf");
      writeFileSync(configPath, nginxMainConfig(directory, [template]));
      expect(await testNginxConfig(directory, configPath)).toContain("test is successful");
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("answers /_emulate/health only when both services are up", async () => {
    const healthy = await fetch(`${gateway}/_emulate/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: "ok", service: "all" });

    for (const [port, unavailable] of [
      [ports.authDown, "auth"],
      [ports.computeDown, "compute"],
    ] as const) {
      const response = await fetch(`http://127.0.0.1:${port}/_emulate/health`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", service: "all", unavailable });
    }
  });

  it("sends every prefix of the route table to its service, and other paths to auth", async () => {
    for (const entry of routeTable) {
      const path = `${entry.prefix}no-such-route-${entry.service}`;
      const response = await fetch(`${gateway}${path}`);
      expect({ path, status: response.status, servedBy: response.headers.get("x-served-by") }).toEqual({ path, status: 404, servedBy: entry.service });
      if (!path.startsWith("/api/")) {
        // The service's own 404 envelope came through.
        expect(((await response.json()) as { errorName: string }).errorName).toBe("Default:NotFound");
      }
    }
    const other = await fetch(`${gateway}/no-such-prefix`);
    expect(other.headers.get("x-served-by")).toBe("auth");
  });

  it("tells the services how the client reached the gateway (X-Forwarded-*)", async () => {
    const lastSeenFor = (path: string) => seen.filter((entry) => entry.path === path).at(-1)?.headers ?? {};
    // fetch() does not let a caller choose the Host header; node:http does.
    await new Promise<void>((resolve, reject) =>
      httpRequest({ host: "127.0.0.1", port: ports.gateway, path: "/multipass/forwarded-1", headers: { Host: "emulator.test:9090" } }, (response) => {
        response.resume().on("end", resolve);
      })
        .on("error", reject)
        .end(),
    );
    expect(lastSeenFor("/multipass/forwarded-1")).toMatchObject({
      host: "emulator.test:9090",
      "x-forwarded-host": "emulator.test:9090",
      "x-forwarded-proto": "http",
      "x-forwarded-port": "9090",
      "x-forwarded-for": "127.0.0.1",
    });

    // A client's own X-Forwarded-* are dropped: the gateway says what it saw.
    await fetch(`${gateway}/api/forwarded-2`, {
      headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "foundry.example.com", "X-Forwarded-Prefix": "/emulator", "X-Forwarded-For": "203.0.113.9" },
    });
    expect(lastSeenFor("/api/forwarded-2")).toMatchObject({
      "x-forwarded-host": `127.0.0.1:${ports.gateway}`,
      "x-forwarded-proto": "http",
      "x-forwarded-port": String(ports.gateway),
      "x-forwarded-for": "127.0.0.1",
    });
    expect(lastSeenFor("/api/forwarded-2")["x-forwarded-prefix"]).toBeUndefined();
  });

  it("holds a module's job long-poll for the emulator's wait, then passes its 204", async () => {
    const started = performance.now();
    const response = await fetch(`${gateway}${runtimeBase}/job`, { headers: { "Module-Auth-Token": moduleAuthToken } });
    const held = performance.now() - started;
    expect(response.status).toBe(204);
    expect(response.headers.get("x-served-by")).toBe("compute");
    expect(held).toBeGreaterThanOrEqual(pollWaitMs - 100);
  });

  it("carries a job from a client to a module and its streamed result back (sync execute)", async () => {
    const { token } = await mintAccessToken(platforms[0]!, { username: "alice" });
    // The client's sync execute is held by the gateway until the module's result arrives.
    const execute = fetch(`${gateway}${multiplexer}/compute-modules/jobs/execute`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/octet-stream" },
      body: JSON.stringify({ deployedAppRid, deployedAppBranch: "master", queryType: "count", query: { upTo: 3 } }),
    });
    let job: { computeModuleJobV1: { jobId: string; queryType: string } } | undefined;
    for (let attempt = 0; attempt < 5 && !job; attempt += 1) {
      const poll = await fetch(`${gateway}${runtimeBase}/job`, { headers: { "Module-Auth-Token": moduleAuthToken } });
      if (poll.status === 200) job = (await poll.json()) as typeof job;
    }
    expect(job?.computeModuleJobV1.queryType).toBe("count");

    // The module streams its result (chunked) over a second, as the SDK's streaming functions do.
    const lines = ["1\n", "2\n", "3\n"];
    const upload = await fetch(`${gateway}${runtimeBase}/results/${job!.computeModuleJobV1.jobId}`, {
      method: "POST",
      headers: { "Module-Auth-Token": moduleAuthToken, "Content-Type": "application/octet-stream" },
      body: new ReadableStream<Uint8Array>({
        async pull(controller) {
          const line = lines.shift();
          if (line === undefined) return controller.close();
          await sleep(300);
          controller.enqueue(new TextEncoder().encode(line));
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(upload.status).toBe(204);

    const result = await execute;
    expect(result.status).toBe(200);
    expect(await result.text()).toBe("1\n2\n3\n");
  });

  it("lets results up to FOUNDRY_MAX_RESULT_BYTES through, and refuses bigger bodies elsewhere in the emulator's envelope", async () => {
    const twoMebibytes = new Uint8Array(2 * 1024 * 1024);
    // Past nginx's result limit: compute itself answers (this job does not exist).
    const result = await fetch(`${gateway}${runtimeBase}/results/no-such-job`, {
      method: "POST",
      headers: { "Module-Auth-Token": moduleAuthToken, "Content-Type": "application/octet-stream" },
      body: twoMebibytes,
    });
    expect(result.headers.get("x-served-by")).toBe("compute");
    expect(result.status).toBe(404);

    const tooLarge = await fetch(`${gateway}${multiplexer}/deployed-apps/jobs`, { method: "POST", body: twoMebibytes });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({
      errorCode: "REQUEST_ENTITY_TOO_LARGE",
      errorName: "Conjure:RequestEntityTooLarge",
      parameters: { maxBytes: defaults.FOUNDRY_MAX_BODY_BYTES },
    });

    const oauth = await fetch(`${gateway}/multipass/api/oauth2/token`, { method: "POST", body: twoMebibytes });
    expect(oauth.status).toBe(413);
    expect(await oauth.json()).toMatchObject({ error: "invalid_request" });

    // A snapshot bigger than the general limit reaches auth, which judges it (not SQLite: 400).
    const restore = await fetch(`${gateway}/_emulate/restore`, { method: "POST", headers: { "Content-Type": "application/vnd.sqlite3" }, body: twoMebibytes });
    expect(restore.headers.get("x-served-by")).toBe("auth");
    expect(restore.status).toBe(400);
    expect(await restore.json()).toMatchObject({ errorName: "InvalidSnapshot" });
  });

  it("holds a slow answer for as long as the service takes (read timeout above the waits)", async () => {
    const { readTimeoutSeconds } = composeNginxOptions();
    expect(readTimeoutSeconds * 1000).toBeGreaterThan(defaults.FOUNDRY_JOB_POLL_WAIT_MS);
    expect(readTimeoutSeconds * 1000).toBeGreaterThan(defaults.FOUNDRY_SYNC_EXECUTE_TIMEOUT_MS);

    const started = performance.now();
    const held = await fetch(`http://127.0.0.1:${ports.stubGateway}/contour-backend-multiplexer/hold?ms=2500`);
    expect(await held.text()).toBe("held");
    expect(performance.now() - started).toBeGreaterThanOrEqual(2400);

    // The control: a rendered read timeout shorter than the hold makes nginx give up (504).
    const cut = await fetch(`http://127.0.0.1:${ports.shortTimeout}/contour-backend-multiplexer/hold?ms=2500`);
    expect(cut.status).toBe(504);
  });

  it("streams a response chunk by chunk (no response buffering)", async () => {
    const response = await fetch(`http://127.0.0.1:${ports.stubGateway}/contour-backend-multiplexer/stream`);
    const reader = response.body!.getReader();
    const first = await within(reader.read(), 2000);
    expect(first).not.toBe("timeout");
    expect(new TextDecoder().decode((first as ReadableStreamReadResult<Uint8Array>).value)).toBe("first\n");
    downloadFirstChunkRead?.();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe("second\n");
  });

  it("streams a request body to the service as it arrives (no request buffering)", async () => {
    const firstChunkArrived = new Promise<void>((resolve) => (uploadFirstChunk = resolve));
    let arrivedBeforeEnd: boolean | undefined;
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(
        { host: "127.0.0.1", port: ports.stubGateway, method: "POST", path: `${runtimeBase}/results/streamed/upload`, headers: { "Content-Type": "application/octet-stream" } },
        (response) => {
          let text = "";
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () => resolve(text));
        },
      );
      request.on("error", reject);
      request.write("x".repeat(1000));
      // The second chunk is only sent once the service has seen the first one (or after 3 s).
      void within(firstChunkArrived, 3000).then((outcome) => {
        arrivedBeforeEnd = outcome !== "timeout";
        request.end("y".repeat(1000));
      });
    });
    expect(arrivedBeforeEnd).toBe(true);
    expect(JSON.parse(body)).toEqual({ bytes: 2000 });
  });
});
