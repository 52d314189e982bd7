// The real @osdk/oauth public client in headless Debian Chromium (playwright-core): a small app on
// its own origin signs in through the emulator's user picker, reads the user with the platform
// SDK (a CORS-preflighted request), survives a reload through the refresh grant, and signs out.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium";
import { repositoryRoot, startEmulator, type TestEmulator } from "../support/emulator";

const clientId = "browser-app";
const storageKey = `@osdk/oauth : refresh : ${clientId}`;

const pageHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>foundry-emulator browser test</title></head>
<body style="font-family: sans-serif">
  <h1>@osdk/oauth public client</h1>
  <p>Status: <strong id="status">loading</strong></p>
  <p>Signed in as <strong id="username"></strong> <code id="user-id"></code></p>
  <pre id="error" style="color: #b00"></pre>
  <script src="/app.js"></script>
</body></html>`;

/** Serves the app: /app.js is the bundle, every other path (/, /auth/callback) the page. */
async function startPageServer(bundle: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://page").pathname;
    if (path === "/app.js") {
      response.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" });
      response.end(bundle());
    } else if (path === "/favicon.ico") {
      response.writeHead(204).end();
    } else {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      response.end(pageHtml);
    }
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("page server has no port");
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

const seedFor = (redirectUrl: string) => `
foundry:
  users:
    - username: alice
      display_name: Alice Analyst
      email: alice@example.test
      realm: palantir-internal-realm
      organization_rid: ri.multipass..organization.3a6b0c1e-2f4d-4c8b-9a7e-5d1f0b2c3d4e
    - username: bob
      display_name: Bob Builder
      realm: palantir-internal-realm
  oauth_clients:
    - client_id: ${clientId}
      name: Browser test app
      redirect_uris: ["${redirectUrl}"]
      grant_types: [authorization_code, refresh_token]
      allowed_scopes: [api:admin-read, offline_access]
`;

async function settled(page: Page): Promise<{ status: string; username: string; error: string }> {
  await page.waitForFunction(() => ["signed-in", "error"].includes(document.getElementById("status")?.textContent ?? ""));
  return page.evaluate(() => ({
    status: document.getElementById("status")!.textContent ?? "",
    username: document.getElementById("username")!.textContent ?? "",
    error: document.getElementById("error")!.textContent ?? "",
  }));
}

describe("@osdk/oauth public client in Chromium", () => {
  let emulator: TestEmulator;
  let pageServer: Server;
  let pageOrigin: string;
  let browser: Browser;
  let buildDirectory: string;
  let bundleText = "";

  beforeAll(async () => {
    const started = await startPageServer(() => bundleText);
    pageServer = started.server;
    pageOrigin = started.origin;
    const redirectUrl = `${pageOrigin}/auth/callback`;
    emulator = await startEmulator({ seed: seedFor(redirectUrl) });

    buildDirectory = mkdtempSync(join(tmpdir(), "foundry-emulator-browser-"));
    const outfile = join(buildDirectory, "app.js");
    await build({
      entryPoints: [join(repositoryRoot, "test/real-clients/browser-app/main.ts")],
      bundle: true,
      platform: "browser", // the package's browser build, whose token storage is localStorage
      format: "iife",
      target: "chrome120",
      outfile,
      logLevel: "silent",
      define: {
        __FOUNDRY_URL__: JSON.stringify(emulator.baseUrl),
        __CLIENT_ID__: JSON.stringify(clientId),
        __REDIRECT_URL__: JSON.stringify(redirectUrl),
      },
    });
    bundleText = readFileSync(outfile, "utf8");

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => (pageServer ? pageServer.close(closed) : closed(undefined)));
    await emulator?.stop();
    if (buildDirectory) rmSync(buildDirectory, { recursive: true, force: true });
  });

  it("signs alice in through the picker, reads her with Users.getCurrent, refreshes on reload and signs out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    const consoleLines: string[] = [];
    const authorizeUrls: URL[] = [];
    const tokenRequests: URLSearchParams[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/multipass/api/oauth2/authorize") authorizeUrls.push(url);
      if (url.pathname === "/multipass/api/oauth2/token") tokenRequests.push(new URLSearchParams(request.postData() ?? ""));
    });
    const emulatorOrigin = new URL(emulator.baseUrl).origin;
    const getCurrentResponse = () =>
      page.waitForResponse((response) => response.url() === `${emulator.baseUrl}/api/v2/admin/users/getCurrent` && response.request().method() === "GET");
    const tokenResponse = () => page.waitForResponse((response) => response.url() === `${emulator.baseUrl}/multipass/api/oauth2/token`);

    try {
      // 1. The app finds no token and sends the browser to the picker.
      await page.goto(`${pageOrigin}/`);
      await page.waitForURL((url) => url.origin === emulatorOrigin && url.pathname === "/multipass/api/oauth2/authorize");
      const authorize = authorizeUrls.at(-1)!;
      expect(authorize.searchParams.get("client_id")).toBe(clientId);
      expect(authorize.searchParams.get("redirect_uri")).toBe(`${pageOrigin}/auth/callback`);
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorize.searchParams.get("scope")).toBe("offline_access api:admin-read");
      mkdirSync(join(repositoryRoot, "test-results"), { recursive: true });
      await page.screenshot({ path: join(repositoryRoot, "test-results/browser-public-client-picker.png") });

      // 2. Pick alice: 303 to /auth/callback?code&state; the app exchanges the code and calls getCurrent.
      const exchanged = tokenResponse();
      const current = getCurrentResponse();
      await page.click('button[data-username="alice"]');
      const exchange = await exchanged;
      expect(exchange.status()).toBe(200);
      expect(exchange.headers()["access-control-allow-origin"]).toBe(pageOrigin);
      expect(exchange.headers().vary?.toLowerCase()).toContain("origin");
      const answer = await current;
      expect(answer.status()).toBe(200);
      const sent = await answer.request().allHeaders();
      expect(sent.authorization).toMatch(/^Bearer \S+$/);
      expect(sent["fetch-user-agent"]).toContain("foundry-emulator-browser-test/1.0");
      expect(answer.headers()["access-control-allow-origin"]).toBe(pageOrigin);

      const signedIn = await settled(page);
      expect(signedIn, `console:\n${consoleLines.join("\n")}`).toEqual({ status: "signed-in", username: "alice", error: "" });
      expect(tokenRequests.map((form) => form.get("grant_type"))).toEqual(["authorization_code"]);
      // After the callback the client puts the app back on the page it started from.
      expect(page.url()).toBe(`${pageOrigin}/`);
      const stored = await page.evaluate((key) => localStorage.getItem(key), storageKey);
      expect(JSON.parse(stored ?? "{}")).toMatchObject({ refresh_token: expect.any(String), requestedScopes: "api:admin-read" });

      await page.screenshot({ path: join(repositoryRoot, "test-results/browser-public-client.png") });

      // 3. Reload: the stored refresh token is exchanged; no second visit to the picker.
      const refreshed = tokenResponse();
      await page.reload();
      expect((await refreshed).status()).toBe(200);
      expect(await settled(page)).toEqual({ status: "signed-in", username: "alice", error: "" });
      expect(authorizeUrls).toHaveLength(1);
      expect(tokenRequests.map((form) => form.get("grant_type"))).toEqual(["authorization_code", "refresh_token"]);
      const rotated = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), storageKey)) ?? "{}") as { refresh_token?: string };
      expect(rotated.refresh_token).toEqual(expect.any(String));
      expect(rotated.refresh_token).not.toBe(JSON.parse(stored!).refresh_token);

      // 4. signOut revokes the access token (the client requires a 200) and forgets the refresh token.
      const accessToken = await page.evaluate(() => (window as unknown as { testApp: { accessToken: string } }).testApp.accessToken);
      await page.evaluate(() => (window as unknown as { testApp: { signOut(): Promise<void> } }).testApp.signOut());
      expect(await page.evaluate((key) => localStorage.getItem(key), storageKey)).toBeNull();
      const after = await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent`, { headers: { Authorization: `Bearer ${accessToken}` } });
      expect(after.status).toBe(401);

      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
