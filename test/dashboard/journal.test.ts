// The request journal through HTTP: what an entry holds, what it never holds (secrets, codes,
// tokens), its bound, clearing it, its admin guard, and one journal shared by the compose stack's
// two processes.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeedPath, freePort, startEmulator, startEmulatorProcess, type EmulatorProcess, type TestEmulator } from "../support/emulator";
import { basicAuthorization, getCurrent, obtainCode, postForm, revokeUrl, tokenUrl } from "../support/oauth";
import { mintToken, readJournal, serviceAppBasic, submitJob, waitForJournalEntry } from "./support/dashboard-client";

describe("the request journal", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator?.stop());

  it("records method, path, status, duration, principal, service and the request id of the X-Request-Id header", async () => {
    const token = await mintToken(emulator.baseUrl, "alice", ["api:admin-read"]);
    const answered = await getCurrent(emulator.baseUrl, token);
    expect(answered.status).toBe(200);
    const requestId = answered.headers.get("X-Request-Id")!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const jobId = await submitJob(emulator.baseUrl, token, { hello: "journal" });

    const { data, capacity } = await readJournal(emulator.baseUrl);
    expect(capacity).toBe(1000);
    const entry = data.find((record) => record.requestId === requestId);
    expect(entry).toMatchObject({ service: "auth", method: "GET", path: "/api/v2/admin/users/getCurrent", status: 200, principal: "alice", grantType: null, oauthError: null });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(entry!.time)).toBeGreaterThan(Date.now() - 60_000);
    const submitted = data.find((record) => record.path.endsWith("/deployed-apps/jobs"));
    expect(submitted).toMatchObject({ service: "compute", method: "POST", status: 200, principal: "alice" });
    expect(jobId).toBeTruthy();
    // Newest first.
    expect(data.map((record) => record.sequence)).toEqual([...data.map((record) => record.sequence)].sort((a, b) => b - a));
  });

  it("records the grant type, the client and the OAuth error of token requests", async () => {
    await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials", scope: "api:admin-read" }, { Authorization: serviceAppBasic });
    await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials" }, { Authorization: basicAuthorization("service-app", "wrong-secret") });
    await postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", client_id: "public-app", code: "not-a-code", code_verifier: "v".repeat(43) });
    await postForm(tokenUrl(emulator.baseUrl), { grant_type: "password", client_id: "public-app" });

    const tokenRequests = (await readJournal(emulator.baseUrl, { path: "/oauth2/token" })).data;
    expect(
      tokenRequests
        .slice(0, 4)
        .reverse()
        .map(({ status, grantType, clientId, oauthError }) => ({ status, grantType, clientId, oauthError })),
    ).toEqual([
      { status: 200, grantType: "client_credentials", clientId: "service-app", oauthError: null },
      { status: 401, grantType: "client_credentials", clientId: null, oauthError: "invalid_client" },
      { status: 400, grantType: "authorization_code", clientId: "public-app", oauthError: "invalid_grant" },
      { status: 400, grantType: "password", clientId: null, oauthError: "unsupported_grant_type" },
    ]);
  });

  it("never holds a client secret, a code, a verifier, a state or a token", async () => {
    const secrets: string[] = ["confidential-app-secret", "service-app-secret"];
    // A real code + PKCE exchange (code and verifier in the body, secret in the Basic header).
    const login = await obtainCode(emulator.baseUrl, { clientId: "confidential-app", scope: "api:admin-read offline_access", state: "state-value-7f3a9c" });
    secrets.push(login.code, login.verifier, "state-value-7f3a9c");
    const exchanged = await postForm(
      tokenUrl(emulator.baseUrl),
      { grant_type: "authorization_code", code: login.code, code_verifier: login.verifier, redirect_uri: "http://localhost:3000/auth/callback" },
      { Authorization: basicAuthorization("confidential-app", "confidential-app-secret") },
    );
    expect(exchanged.status).toBe(200);
    const accessToken = exchanged.json.access_token as string;
    const refreshToken = exchanged.json.refresh_token as string;
    secrets.push(accessToken, refreshToken);
    // A secret in the body instead of the header, a refresh, a revocation, and secrets in query strings.
    const refreshed = await postForm(tokenUrl(emulator.baseUrl), {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: "confidential-app",
      client_secret: "confidential-app-secret",
    });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.json.access_token as string, refreshed.json.refresh_token as string);
    await postForm(
      revokeUrl(emulator.baseUrl),
      { token: refreshed.json.access_token as string },
      { Authorization: basicAuthorization("confidential-app", "confidential-app-secret") },
    );
    await getCurrent(emulator.baseUrl, accessToken);
    await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent?access_token=${accessToken}&preview=true`);
    await fetch(
      `${emulator.baseUrl}/multipass/api/oauth2/authorize?client_id=confidential-app&response_type=code&state=query-state-91b&code=query-code-44&client_secret=query-secret-55`,
      { redirect: "manual" },
    );
    secrets.push("query-state-91b", "query-code-44", "query-secret-55");

    const { text, data } = await readJournal(emulator.baseUrl, { limit: "1000" });
    for (const secret of secrets) expect(text, `journal holds ${secret.slice(0, 12)}…`).not.toContain(secret);
    // The masked query keeps what is not secret.
    expect(data.map((record) => record.path)).toContain("/multipass/api/oauth2/authorize?client_id=confidential-app&response_type=code&state=***&code=***&client_secret=***");
    expect(data.map((record) => record.path)).toContain("/api/v2/admin/users/getCurrent?access_token=***&preview=true");
  });

  it("keeps the dashboard's own polling and health checks out", async () => {
    await fetch(`${emulator.baseUrl}/_emulate/dashboard/data/jobs`);
    await fetch(`${emulator.baseUrl}/_emulate/dashboard/data/overview`);
    await fetch(`${emulator.baseUrl}/_emulate/`);
    const { data } = await readJournal(emulator.baseUrl, { limit: "1000" });
    expect(data.filter((record) => record.path.startsWith("/_emulate/dashboard") || record.path === "/_emulate/" || record.path === "/_emulate/requests")).toEqual([]);
  });

  it("filters and pages", async () => {
    await fetch(`${emulator.baseUrl}/_emulate/nothing-here`);
    const notFound = await readJournal(emulator.baseUrl, { status: "4xx", path: "nothing-here" });
    expect(notFound.data).toHaveLength(1);
    expect(notFound.data[0]).toMatchObject({ status: 404, service: "auth" });
    const compute = await readJournal(emulator.baseUrl, { service: "compute" });
    expect(compute.data.every((record) => record.service === "compute")).toBe(true);

    const all = (await readJournal(emulator.baseUrl, { limit: "1000" })).data;
    const paged = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof readJournal>> = await readJournal(emulator.baseUrl, { limit: "3", ...(cursor ? { cursor } : {}) });
      paged.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((record) => record.sequence)).toEqual(all.map((record) => record.sequence));
    const bad = await fetch(`${emulator.baseUrl}/_emulate/requests?limit=0`);
    expect(bad.status).toBe(400);
  });

  it("is cleared by DELETE, which is the one entry left (who cleared it stays visible)", async () => {
    const cleared = await fetch(`${emulator.baseUrl}/_emulate/requests`, { method: "DELETE" });
    expect(cleared.status).toBe(204);
    const { data } = await readJournal(emulator.baseUrl);
    expect(data.map(({ method, path, requestId }) => ({ method, path, requestId }))).toEqual([
      { method: "DELETE", path: "/_emulate/requests", requestId: cleared.headers.get("X-Request-Id") },
    ]);
  });
});

describe("a bounded journal", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ environment: { FOUNDRY_JOURNAL_SIZE: "5", FOUNDRY_ADMIN_TOKEN: "journal-admin-token" } });
  });
  afterAll(() => emulator?.stop());

  it("keeps the newest FOUNDRY_JOURNAL_SIZE requests", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const response = await fetch(`${emulator.baseUrl}/_emulate/missing-${index}`);
      ids.push(response.headers.get("X-Request-Id")!);
    }
    const { data, capacity } = await readJournal(emulator.baseUrl, { limit: "100" }, "journal-admin-token");
    expect(capacity).toBe(5);
    expect(data.map((record) => record.requestId)).toEqual(ids.slice(-5).reverse());
    const rows = (emulator.platform.database.$client.prepare("SELECT count(*) AS n FROM request_journal").get() as { n: number }).n;
    expect(rows).toBe(5);
  });

  it("needs the admin token to be read or cleared when one is configured", async () => {
    expect((await fetch(`${emulator.baseUrl}/_emulate/requests`)).status).toBe(401);
    expect((await fetch(`${emulator.baseUrl}/_emulate/requests`, { headers: { Authorization: "Bearer wrong-admin-token" } })).status).toBe(401);
    expect((await fetch(`${emulator.baseUrl}/_emulate/requests`, { method: "DELETE" })).status).toBe(401);
    expect((await fetch(`${emulator.baseUrl}/_emulate/requests`, { method: "DELETE", headers: { Authorization: "Bearer journal-admin-token" } })).status).toBe(204);
  });
});

describe("FOUNDRY_JOURNAL_SIZE=0", () => {
  it("keeps no journal", async () => {
    const emulator = await startEmulator({ environment: { FOUNDRY_JOURNAL_SIZE: "0" } });
    try {
      await fetch(`${emulator.baseUrl}/_emulate/missing`);
      expect((await readJournal(emulator.baseUrl)).data).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });
});

describe("the compose stack's two processes", () => {
  let auth: EmulatorProcess;
  let compute: EmulatorProcess;
  beforeAll(async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const database = join(mkdtempSync(join(tmpdir(), "foundry-journal-")), "foundry.db");
    const environment = { FOUNDRY_DB: database, FOUNDRY_SEED: defaultSeedPath, LOG_LEVEL: "silent" };
    const [authPort, computePort] = [await freePort(), await freePort()];
    // Sequentially: the first one migrates and seeds, the second finds everything in place.
    auth = await startEmulatorProcess({ entry: "auth", port: authPort, environment });
    compute = await startEmulatorProcess({ entry: "compute", port: computePort, environment });
  });
  afterAll(async () => {
    await compute?.stop();
    await auth?.stop();
  });

  it("share one journal through the database", async () => {
    const token = await mintToken(auth.baseUrl, "bob", []);
    const response = await fetch(`${compute.baseUrl}/contour-backend-multiplexer/api/module-group-multiplexer/jobs/unknown-job/status`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    const requestId = response.headers.get("X-Request-Id")!;
    const entry = await waitForJournalEntry(auth.baseUrl, (record) => record.requestId === requestId);
    expect(entry).toMatchObject({ service: "compute", method: "GET", status: 404, principal: "bob" });
    expect((await readJournal(auth.baseUrl)).data.some((record) => record.service === "auth" && record.path === "/_emulate/foundry/tokens")).toBe(true);
  });

  it("keeps the last entries of a process that stops (SIGTERM flushes its batch)", async () => {
    const response = await fetch(`${compute.baseUrl}/_emulate/foundry/compute-modules/jobs/last-words/cancel`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await compute.stop("SIGTERM")).toBe(0);
    const requestId = response.headers.get("X-Request-Id")!;
    expect((await readJournal(auth.baseUrl, { limit: "1000" })).data.find((record) => record.requestId === requestId)).toMatchObject({ service: "compute", status: 404 });
  });
});
