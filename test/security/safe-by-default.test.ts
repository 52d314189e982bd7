// The attacks of "Safe by default", as written: a web page on another site (a real Chromium page),
// a rebound host name, forged X-Forwarded-* headers, HEAD requests, framing, offline_access, and a
// database readable by anyone.
import { statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium";
import { routeContract } from "@foundry-emulator/contract";
import { freePort, startEmulator, type TestEmulator } from "../support/emulator";
import { createPkcePair, getCurrent, obtainCode, postForm, tokenUrl } from "../support/oauth";
import { rawRequest } from "../support/raw-request";

const forgedToken = "token-planted-by-another-site";
const plantedSeed = `foundry:\n  users: [{ username: mallory }]\n  personal_tokens: [{ token: ${forgedToken}, username: mallory, scopes: [api:admin-read] }]\n`;

describe("a web page on another site, in Chromium", () => {
  let emulator: TestEmulator;
  let browser: Browser;
  let attacker: Server;
  let attackerPort: number;
  beforeAll(async () => {
    emulator = await startEmulator();
    attackerPort = await freePort();
    // The attacker's page: it tries what any page the developer opens could try.
    attacker = createServer((_request, response) => {
      response.setHeader("Content-Type", "text/html");
      response.end("<!doctype html><title>attacker</title>");
    });
    await new Promise<void>((done) => attacker.listen(attackerPort, "127.0.0.1", done));
    // evil.test resolves to this machine, as an attacker's domain would for a rebinding attack.
    browser = await launchChromium(["--host-resolver-rules=MAP evil.test 127.0.0.1"]);
  });
  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await emulator?.stop();
  });

  it("can neither seed a token, take a snapshot, reset, nor read the API with a token it knows", async () => {
    // A live token the page somehow knows (say, from a .env it saw): it still cannot read with it.
    const minted = await fetch(`${emulator.baseUrl}/_emulate/foundry/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "alice", scopes: ["api:admin-read"] }),
    });
    const knownToken = ((await minted.json()) as { access_token: string }).access_token;
    expect((await getCurrent(emulator.baseUrl, knownToken)).status).toBe(200);
    const page = await browser.newPage();
    await page.goto(`http://evil.test:${attackerPort}/`);
    const outcome = await page.evaluate(
      async ({ base, seed, token }) => {
        const attempts: Record<string, string> = {};
        const tryIt = async (name: string, run: () => Promise<Response>) => {
          try {
            const response = await run();
            attempts[name] = `status ${response.status} ${response.type}`;
          } catch (error) {
            attempts[name] = `refused: ${(error as Error).message}`;
          }
        };
        // Simple requests: a browser sends these cross-site without asking first.
        await tryIt("seed", () => fetch(`${base}/_emulate/seed`, { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: seed }));
        await tryIt("snapshot", () => fetch(`${base}/_emulate/snapshot`, { method: "POST", mode: "no-cors" }));
        await tryIt("reset", () => fetch(`${base}/_emulate/reset`, { method: "POST", mode: "no-cors" }));
        // Reading an answer needs CORS, which the emulator grants only to known origins.
        await tryIt("read", () => fetch(`${base}/api/v2/admin/users/getCurrent`, { headers: { Authorization: `Bearer ${token}` } }));
        return attempts;
      },
      { base: emulator.baseUrl, seed: plantedSeed, token: knownToken },
    );
    await page.close();
    expect(outcome.read).toMatch(/^refused/);
    // The token the page tried to plant does not exist; nothing was reset or snapshotted.
    expect((await getCurrent(emulator.baseUrl, forgedToken)).status).toBe(401);
    const journal = (await (await fetch(`${emulator.baseUrl}/_emulate/requests?limit=100`)).json()) as { data: Array<{ method: string; path: string; status: number }> };
    const statusOf = (path: string) => journal.data.find((entry) => entry.method === "POST" && entry.path === path)?.status;
    expect([statusOf("/_emulate/seed"), statusOf("/_emulate/snapshot"), statusOf("/_emulate/reset")]).toEqual([403, 403, 403]);
  });

  it("gets no CORS grant on the control plane, the picker or the API from an unknown origin; localhost apps do", async () => {
    for (const path of ["/_emulate/foundry/personal-tokens", "/multipass/api/oauth2/authorize?client_id=public-app", "/api/v2/admin/users/getCurrent"]) {
      const response = await fetch(`${emulator.baseUrl}${path}`, { headers: { Origin: "http://evil.test" }, redirect: "manual" });
      expect(response.headers.get("access-control-allow-origin"), path).toBeNull();
    }
    const local = await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent`, { headers: { Origin: "http://localhost:5173" } });
    expect(local.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });
});

describe("requests no browser page should be able to make count", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: "100" } });
  });
  afterAll(() => emulator?.stop());

  it("refuses a rebound host name on every route with 421, in the route's envelope", async () => {
    const url = new URL(emulator.baseUrl);
    const snapshot = await rawRequest(`${emulator.baseUrl}/_emulate/snapshot`, { method: "POST", headers: { Host: `rebind.evil.test:${url.port}` } });
    expect(snapshot.status).toBe(421);
    expect(JSON.parse(snapshot.body)).toMatchObject({ errorName: "Default:MisdirectedRequest", parameters: { host: `rebind.evil.test:${url.port}` } });
    const token = await rawRequest(`${emulator.baseUrl}/multipass/api/oauth2/token`, {
      method: "POST",
      headers: { Host: "rebind.evil.test", "Content-Type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(token.status).toBe(421);
    expect(JSON.parse(token.body)).toMatchObject({ error: "invalid_request" });
    // The names it does answer to.
    for (const host of [`localhost:${url.port}`, `127.0.0.1:${url.port}`, `[::1]:${url.port}`, "emulator.localhost"]) {
      expect((await rawRequest(`${emulator.baseUrl}/_emulate/health`, { headers: { Host: host } })).status, host).toBe(200);
    }
  });

  it("refuses control-plane changes sent from another origin or site, and in a type any page may send", async () => {
    const seedWith = (headers: Record<string, string>) =>
      rawRequest(`${emulator.baseUrl}/_emulate/seed`, { method: "POST", headers: { "Content-Type": "application/yaml", ...headers }, body: plantedSeed });
    expect((await seedWith({ Origin: "http://evil.test" })).status).toBe(403);
    expect((await seedWith({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await seedWith({ "Sec-Fetch-Site": "same-site", Origin: "http://localhost:5173" })).status).toBe(403);
    expect((await seedWith({ "Content-Type": "text/plain" })).status).toBe(415);
    expect((await getCurrent(emulator.baseUrl, forgedToken)).status).toBe(401);
    // The emulator's own page (the dashboard) and non-browser clients still can.
    expect((await seedWith({ Origin: emulator.baseUrl, "Sec-Fetch-Site": "same-origin" })).status).toBe(200);
  });

  it("takes the picker's answer only from the picker itself, and never lets it be framed", async () => {
    const { challenge } = createPkcePair();
    const picker = await fetch(
      `${emulator.baseUrl}/multipass/api/oauth2/authorize?client_id=public-app&response_type=code&code_challenge=${challenge}&code_challenge_method=S256`,
      { headers: { Origin: "http://evil.test" } },
    );
    expect(picker.status).toBe(200);
    expect(picker.headers.get("x-frame-options")).toBe("DENY");
    expect(picker.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const requestId = /name="request_id" value="([^"]+)"/.exec(await picker.text())![1]!;
    const error = await fetch(`${emulator.baseUrl}/multipass/api/oauth2/authorize?client_id=nobody`);
    expect(error.headers.get("x-frame-options")).toBe("DENY");
    const callback = (headers: Record<string, string>) =>
      rawRequest(`${emulator.baseUrl}/multipass/api/oauth2/authorize/callback`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body: `request_id=${requestId}&username=alice`,
      });
    const crossSite = await callback({ Origin: "http://evil.test", "Sec-Fetch-Site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.body)).toMatchObject({ error: "access_denied" });
    // The request was not used up: the real picker page can still answer it.
    expect((await callback({ Origin: emulator.baseUrl, "Sec-Fetch-Site": "same-origin" })).status).toBe(303);
  });

  it("applies GET's rule to HEAD, and a HEAD poll hands out no job", async () => {
    expect((await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent`, { method: "HEAD" })).status).toBe(401);
    const service = await postForm(
      tokenUrl(emulator.baseUrl),
      { grant_type: "client_credentials", scope: "api:read-data" },
      { Authorization: `Basic ${Buffer.from("service-app:service-app-secret").toString("base64")}` },
    );
    const submitted = await fetch(`${emulator.baseUrl}/contour-backend-multiplexer/api/module-group-multiplexer/deployed-apps/jobs`, {
      method: "POST",
      headers: { Authorization: `Bearer ${service.json.access_token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ deployedAppRid: "ri.foundry.main.deployed-app.agent-loop", queryType: "add", query: { x: 1, y: 2 } }),
    });
    const job = (await submitted.json()) as { id: string };
    const poll = `${emulator.baseUrl}/_emulate/foundry/compute-modules/runtimes/agent-loop/job`;
    expect((await fetch(poll, { method: "HEAD" })).status).toBe(401);
    expect((await fetch(poll, { method: "HEAD", headers: { "Module-Auth-Token": "local-module-auth-token" } })).status).toBe(204);
    const row = emulator.platform.database.$client.prepare("SELECT status, attempts FROM jobs WHERE id = ?").get(job.id);
    expect(row).toEqual({ status: "queued", attempts: 0 });
  });

  it("answers every method on every route without a 500", async () => {
    const token = (await (
      await fetch(`${emulator.baseUrl}/_emulate/foundry/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "alice", scopes: ["api:admin-read"] }),
      })
    ).json()) as { access_token: string };
    const failures: string[] = [];
    for (const spec of routeContract.filter((candidate) => !candidate.path.endsWith("/reset") && !candidate.path.endsWith("/restore"))) {
      for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        for (const headers of [{}, { Authorization: `Bearer ${token.access_token}` }] as Record<string, string>[]) {
          const response = await fetch(`${emulator.baseUrl}${spec.path.replace(/:[A-Za-z]+/g, "x")}`, { method, headers });
          const body = await response.text();
          if (response.status >= 500 || /\n\s+at /.test(body)) failures.push(`${method} ${spec.path}: ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("grants offline_access only to clients whose allowed_scopes list it (or allow any)", async () => {
    const seeded = await startEmulator({
      seed: `foundry:\n  users: [{ username: alice }]\n  oauth_clients:\n    - client_id: narrow\n      client_secret: narrow-secret\n      redirect_uris: [http://localhost:3000/cb]\n      allowed_scopes: [api:admin-read]\n`,
    });
    try {
      const login = await obtainCode(seeded.baseUrl, { clientId: "narrow", redirectUri: "http://localhost:3000/cb", scope: "api:admin-read offline_access" });
      const exchanged = await postForm(
        tokenUrl(seeded.baseUrl),
        { grant_type: "authorization_code", code: login.code, code_verifier: login.verifier, redirect_uri: "http://localhost:3000/cb" },
        { Authorization: `Basic ${Buffer.from("narrow:narrow-secret").toString("base64")}` },
      );
      expect(exchanged.status).toBe(200);
      expect(exchanged.json.refresh_token).toBeUndefined();
      expect(exchanged.json.scope).toBe("api:admin-read");
    } finally {
      await seeded.stop();
    }
  });
});

describe("forwarded headers", () => {
  it("are believed only from trusted proxies", async () => {
    const emulator = await startEmulator({ environment: { FOUNDRY_TRUSTED_PROXIES: "10.9.9.9" } });
    try {
      const response = await fetch(`${emulator.baseUrl}/_emulate/foundry/compute-modules/runtimes`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Forwarded-Host": "attacker.test", "X-Forwarded-Proto": "https" },
        body: JSON.stringify({ runtimeId: "forged" }),
      });
      expect(((await response.json()) as { getJobUri: string }).getJobUri).toBe("http://localhost:8080/_emulate/foundry/compute-modules/runtimes/forged/job");
    } finally {
      await emulator.stop();
    }
  });
});

describe("the files that hold the keys", () => {
  it("are created readable by the emulator's user only", async () => {
    const emulator = await startEmulator({ environment: { FOUNDRY_TLS_PORT: String(await freePort()) } });
    try {
      // The TLS material is written when the HTTPS listener (or a module environment) needs it.
      await fetch(`${emulator.baseUrl}/_emulate/foundry/compute-modules/runtimes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      const mode = (path: string) => statSync(path).mode & 0o777;
      expect(mode(emulator.databasePath)).toBe(0o600);
      expect(mode(`${emulator.databasePath}-wal`)).toBe(0o600);
      const tls = join(emulator.directory, "tls");
      expect(mode(tls)).toBe(0o700);
      for (const file of ["ca.pem", "server.pem", "server-key.pem"]) expect(mode(join(tls, file)), file).toBe(0o600);
    } finally {
      await emulator.stop();
    }
  });
});
