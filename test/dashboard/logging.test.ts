// Logs of a real emulator process: one JSON line per request with the request id of the
// X-Request-Id header (and of error envelopes' errorInstanceId), LOG_LEVEL respected, secrets never
// written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startEmulatorProcess, type EmulatorProcess } from "../support/emulator";
import { basicAuthorization, getCurrent, obtainCode, postForm, tokenUrl } from "../support/oauth";
import { mintToken } from "./support/dashboard-client";

interface LogLine {
  level: string;
  time: string;
  msg: string;
  service?: string;
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  principal?: string | null;
  grantType?: string;
  oauthError?: string;
}

const linesOf = (output: string): LogLine[] =>
  output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

async function waitForLine(process: EmulatorProcess, predicate: (line: LogLine) => boolean): Promise<LogLine> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = linesOf(process.output()).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such log line in:\n${process.output()}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

async function start(level: string): Promise<EmulatorProcess> {
  return startEmulatorProcess({ port: await freePort(), environment: { FOUNDRY_DB: ":memory:", LOG_LEVEL: level } });
}

describe("LOG_LEVEL=info", () => {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await start("info");
  });
  afterAll(() => emulator?.stop());

  it("writes the start-up line through the logger", async () => {
    const line = await waitForLine(emulator, (candidate) => candidate.msg === "listening");
    expect(line).toMatchObject({ level: "info", service: "all", port: Number(new URL(emulator.baseUrl).port) });
    expect(Date.parse(line.time)).toBeGreaterThan(0);
  });

  it("writes one JSON line per request, with the request id of the response header", async () => {
    const token = await mintToken(emulator.baseUrl, "alice", ["api:admin-read"]);
    const response = await getCurrent(emulator.baseUrl, token);
    const requestId = response.headers.get("X-Request-Id")!;
    const line = await waitForLine(emulator, (candidate) => candidate.requestId === requestId);
    expect(line).toMatchObject({ level: "info", msg: "request", service: "auth", method: "GET", path: "/api/v2/admin/users/getCurrent", status: 200, principal: "alice" });
    expect(typeof line.durationMs).toBe("number");
    expect(linesOf(emulator.output()).filter((candidate) => candidate.requestId === requestId)).toHaveLength(1);
  });

  it("uses the request id as the error envelope's errorInstanceId, and keeps a sane incoming one", async () => {
    const unauthorized = await getCurrent(emulator.baseUrl, "not-a-token", { "X-Request-Id": "client-chosen.id_42" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("X-Request-Id")).toBe("client-chosen.id_42");
    expect(((await unauthorized.json()) as { errorInstanceId: string }).errorInstanceId).toBe("client-chosen.id_42");
    expect(await waitForLine(emulator, (candidate) => candidate.requestId === "client-chosen.id_42")).toMatchObject({ status: 401, principal: null });

    const compute = await fetch(`${emulator.baseUrl}/contour-backend-multiplexer/api/module-group-multiplexer/jobs/x/status`);
    const computeId = compute.headers.get("X-Request-Id")!;
    expect(((await compute.json()) as { errorInstanceId: string }).errorInstanceId).toBe(computeId);
    expect(await waitForLine(emulator, (candidate) => candidate.requestId === computeId)).toMatchObject({ service: "compute", status: 401 });

    for (const insane of ["has space", "x".repeat(65), "new\\nline", "a/b", "<script>"]) {
      const response = await fetch(`${emulator.baseUrl}/_emulate/missing`, { headers: { "X-Request-Id": insane } });
      const given = response.headers.get("X-Request-Id")!;
      expect(given).not.toBe(insane);
      expect(given).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("logs the grant type and OAuth error, and never a secret, a code or a token", async () => {
    const login = await obtainCode(emulator.baseUrl, { clientId: "confidential-app", scope: "api:admin-read", state: "log-state-5d1e" });
    const exchanged = await postForm(
      tokenUrl(emulator.baseUrl),
      { grant_type: "authorization_code", code: login.code, code_verifier: login.verifier, redirect_uri: "http://localhost:3000/auth/callback" },
      { Authorization: basicAuthorization("confidential-app", "confidential-app-secret") },
    );
    expect(exchanged.status).toBe(200);
    const accessToken = exchanged.json.access_token as string;
    const refused = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "client_credentials", client_id: "service-app", client_secret: "definitely-wrong-secret" });
    expect(refused.status).toBe(401);
    await getCurrent(emulator.baseUrl, accessToken);
    await fetch(`${emulator.baseUrl}/api/v2/admin/users/getCurrent?access_token=${accessToken}`, { headers: { Cookie: "session=cookie-secret-77" } });

    const failure = await waitForLine(emulator, (candidate) => candidate.requestId === refused.headers.get("X-Request-Id"));
    expect(failure).toMatchObject({ path: "/multipass/api/oauth2/token", status: 401, grantType: "client_credentials", oauthError: "invalid_client" });
    await waitForLine(emulator, (candidate) => candidate.path === "/api/v2/admin/users/getCurrent?access_token=***");
    const output = emulator.output();
    for (const secret of ["confidential-app-secret", "definitely-wrong-secret", login.code, login.verifier, "log-state-5d1e", accessToken, "cookie-secret-77"]) {
      expect(output, `the log holds ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
  });

  it("logs health checks and the dashboard's polling at debug level only", async () => {
    const poll = await fetch(`${emulator.baseUrl}/_emulate/dashboard/data/jobs`);
    await fetch(`${emulator.baseUrl}/_emulate/missing-after-poll`);
    await waitForLine(emulator, (candidate) => candidate.path === "/_emulate/missing-after-poll");
    expect(linesOf(emulator.output()).some((candidate) => candidate.requestId === poll.headers.get("X-Request-Id"))).toBe(false);
  });
});

describe("quieter levels", () => {
  it.each(["warn", "silent"])("LOG_LEVEL=%s writes no request line", async (level) => {
    const emulator = await start(level);
    try {
      await fetch(`${emulator.baseUrl}/_emulate/missing`);
      await getCurrent(emulator.baseUrl, "not-a-token");
      await new Promise((done) => setTimeout(done, 200));
      expect(linesOf(emulator.output()).filter((line) => line.msg === "request" || line.msg === "listening")).toEqual([]);
      if (level === "silent") expect(emulator.output().trim()).toBe("");
    } finally {
      await emulator.stop();
    }
  });
});
