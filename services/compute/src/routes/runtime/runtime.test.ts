import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { userIdFor } from "@foundry-emulator/config";
import { functionSchemas, jobs } from "@foundry-emulator/db";
import { mintAccessToken } from "../../../../../test/support/tokens";
import { startComputeEmulator, type ComputeEmulator } from "../../../../../test/compute/support/compute-emulator";
import { bytesOf, contourClient, openRuntime, pollJob, postResult, runtimesUrl, type RuntimeSession } from "../../../../../test/compute/support/compute-client";

const pollWaitMs = 400;
let emulator: ComputeEmulator;
let contour: ReturnType<typeof contourClient>;
let counter = 0;

beforeAll(async () => {
  emulator = await startComputeEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: String(pollWaitMs), FOUNDRY_MAX_RESULT_BYTES: String(4 * 1024 * 1024) } });
  contour = contourClient(emulator.baseUrl, (await mintAccessToken(emulator.platform, { username: "alice", scopes: ["api:read-data"] })).token);
});
afterAll(() => emulator?.stop());

/** A fresh runtime bound to a fresh deployed app, so tests never see each other's jobs. */
async function freshRuntime(options: { maxConcurrentTasks?: number } = {}): Promise<RuntimeSession & { rid: string }> {
  counter += 1;
  const rid = `ri.foundry.main.deployed-app.runtime-test-${counter}`;
  return { ...(await openRuntime(emulator.baseUrl, { runtimeId: `runtime-test-${counter}`, deployedAppRid: rid, ...options })), rid };
}

async function submit(rid: string, queryType = "work", query: unknown = {}): Promise<string> {
  const response = await contour.submit({ deployedAppRid: rid, queryType, query });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

function jobRow(jobId: string) {
  return emulator.platform.database.select().from(jobs).where(eq(jobs.id, jobId)).get();
}

async function errorOf(response: Response) {
  return (await response.json()) as { errorCode: string; errorName: string; errorInstanceId: string; parameters: Record<string, unknown> };
}

describe("runtime sessions", () => {
  it("seeds the compute_modules runtimes and bindings: the seeded token polls, the seeded app executes", async () => {
    const seeded = { getJobUri: `${runtimesUrl(emulator.baseUrl)}/agent-loop/job`, moduleAuthToken: "local-module-auth-token" };
    const execution = contour.execute({ deployedAppRid: "ri.foundry.main.deployed-app.agent-loop", queryType: "ping", query: { n: 1 } });
    const polled = await pollJob(seeded);
    expect(polled.status).toBe(200);
    expect(polled.job!.computeModuleJobV1).toMatchObject({ queryType: "ping", query: { n: 1 } });
    expect(
      (
        await postResult(
          { postResultUri: `${runtimesUrl(emulator.baseUrl)}/agent-loop/results`, moduleAuthToken: "local-module-auth-token" },
          polled.job!.computeModuleJobV1.jobId,
          '"pong"',
        )
      ).status,
    ).toBe(204);
    const response = await execution;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('"pong"');
  });

  it("returns the module's URIs (from FOUNDRY_PUBLIC_URL), a fresh token and the complete environment", async () => {
    const session = await openRuntime(emulator.baseUrl, { runtimeId: "environment-check", displayName: "Environment check", filesDirectory: "/run/module" });
    expect(session.status).toBe(201);
    const runtimePath = "/_emulate/foundry/compute-modules/runtimes/environment-check";
    expect(session).toMatchObject({
      runtimeId: "environment-check",
      displayName: "Environment check",
      getJobUri: `${emulator.baseUrl}${runtimePath}/job`,
      postResultUri: `${emulator.baseUrl}${runtimePath}/results`,
      postSchemaUri: `${emulator.baseUrl}${runtimePath}/schemas`,
      restartNotificationUri: `${emulator.baseUrl}${runtimePath}/restart`,
      failedJobIds: [],
    });
    expect(session.moduleAuthToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.environment).toEqual({
      GET_JOB_URI: session.getJobUri,
      POST_RESULT_URI: session.postResultUri,
      POST_SCHEMA_URI: session.postSchemaUri,
      RESTART_NOTIFICATION_URI: session.restartNotificationUri,
      GET_JOB_PATH: `${runtimePath}/job`,
      POST_RESULT_PATH: `${runtimePath}/results`,
      RUNTIME_HOST: "127.0.0.1",
      RUNTIME_PORT: String(emulator.port),
      RUNTIME_API: `127.0.0.1:${emulator.port}`,
      MAX_CONCURRENT_TASKS: "1",
      MODULE_AUTH_TOKEN: "/run/module/module-auth-token",
    });
    expect(session.files).toEqual([{ path: "/run/module/module-auth-token", content: session.moduleAuthToken, environmentVariables: ["MODULE_AUTH_TOKEN"] }]);

    const reset = await openRuntime(emulator.baseUrl, { runtimeId: "environment-check" });
    expect(reset.status).toBe(200);
    expect(reset.displayName).toBe("Environment check");
    expect(reset.moduleAuthToken).not.toBe(session.moduleAuthToken);
    expect((await pollJob(session)).status).toBe(401);
  });

  it("generates a runtime id when none is given, and refuses a bad body with 400 without storing anything", async () => {
    const generated = await openRuntime(emulator.baseUrl);
    expect(generated.runtimeId).toMatch(/^[0-9a-f-]{36}$/);
    for (const body of ["{", '{"runtimeId":"has space"}', '{"deployedAppRid":"not-a-rid"}', "[]", '{"maxConcurrentTasks":0}']) {
      const response = await fetch(runtimesUrl(emulator.baseUrl), { method: "POST", headers: { "Content-Type": "application/json" }, body });
      expect(response.status, body).toBe(400);
      expect((await errorOf(response)).errorCode).toBe("INVALID_ARGUMENT");
    }
    const response = await fetch(runtimesUrl(emulator.baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ runtimeId: "half-way", deployedAppRid: "bad" }),
    });
    expect(response.status).toBe(400);
    // text/plain (what another site's page may send without asking) is refused before anything is read.
    const plain = await fetch(runtimesUrl(emulator.baseUrl), { method: "POST", body: JSON.stringify({ runtimeId: "half-way" }) });
    expect(plain.status).toBe(415);
    const unauthorized = await pollJob({ getJobUri: `${runtimesUrl(emulator.baseUrl)}/half-way/job`, moduleAuthToken: "anything" });
    expect(unauthorized.status).toBe(401);
  });
});

describe("the session endpoint in a shared environment", () => {
  it("needs FOUNDRY_ADMIN_TOKEN as a bearer token when one is configured", async () => {
    const guarded = await startComputeEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: "admin-token-for-tests" } });
    try {
      const open = (authorization?: string) =>
        fetch(runtimesUrl(guarded.baseUrl), {
          method: "POST",
          headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
          body: JSON.stringify({ runtimeId: "guarded" }),
        });
      for (const response of [await open(), await open("Bearer wrong-admin-token")]) {
        expect(response.status).toBe(401);
        expect((await errorOf(response)).errorName).toBe("Default:Unauthorized");
      }
      expect((await open("Bearer admin-token-for-tests")).status).toBe(201);
    } finally {
      await guarded.stop();
    }
  });
});

describe("module authentication", () => {
  it("answers the same 401 for a missing token, a wrong token and an unknown runtime", async () => {
    const session = await freshRuntime();
    const base = runtimesUrl(emulator.baseUrl);
    const attempts = [
      fetch(session.getJobUri),
      fetch(session.getJobUri, { headers: { "Module-Auth-Token": `${session.moduleAuthToken}x` } }),
      fetch(`${base}/no-such-runtime/job`, { headers: { "Module-Auth-Token": session.moduleAuthToken } }),
      fetch(`${base}/no-such-runtime/results/whatever`, { method: "POST", headers: { "Module-Auth-Token": "x" }, body: "1" }),
      fetch(`${session.postSchemaUri}`, { method: "POST", headers: { "Module-Auth-Token": "local-module-auth-token" }, body: "[]" }),
      fetch(session.restartNotificationUri, { method: "POST" }),
    ];
    const bodies = [];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      const { errorInstanceId, ...rest } = await errorOf(response);
      expect(errorInstanceId).toMatch(/^[0-9a-f-]{36}$/);
      bodies.push(rest);
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(bodies[0]).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized" });
  });
});

describe("GET .../job long-polls", () => {
  it("holds an empty poll for the configured wait, then answers 204 with no body", async () => {
    const session = await freshRuntime();
    const started = performance.now();
    const polled = await pollJob(session);
    const elapsed = performance.now() - started;
    expect(polled.status).toBe(204);
    expect(polled.text).toBe("");
    expect(elapsed).toBeGreaterThanOrEqual(pollWaitMs - 5);
    expect(elapsed).toBeLessThan(pollWaitMs + 300);
  });

  it("wakes a waiting poll as soon as a job is queued", async () => {
    const slow = await startComputeEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: "10000" } });
    try {
      const session = await openRuntime(slow.baseUrl, { runtimeId: "wake", deployedAppRid: "ri.foundry.main.deployed-app.wake" });
      const client = contourClient(slow.baseUrl, (await mintAccessToken(slow.platform)).token);
      const poll = pollJob(session);
      await new Promise((done) => setTimeout(done, 100)); // the poll is now waiting
      const submitted = performance.now();
      await client.submit({ deployedAppRid: "ri.foundry.main.deployed-app.wake", queryType: "q", query: {} });
      const polled = await poll;
      expect(polled.status).toBe(200);
      expect(performance.now() - submitted).toBeLessThan(100);
    } finally {
      await slow.stop();
    }
  });

  it("dispatches a job to exactly one of many concurrent pollers", async () => {
    const session = await freshRuntime({ maxConcurrentTasks: 8 });
    const pollers = Array.from({ length: 8 }, () => pollJob(session));
    await new Promise((done) => setTimeout(done, 50));
    const submitted = await Promise.all(Array.from({ length: 5 }, (_, index) => submit(session.rid, "work", { index })));
    const results = await Promise.all(pollers);
    const dispatched = results.filter((result) => result.status === 200).map((result) => result.job!.computeModuleJobV1.jobId);
    expect(results.filter((result) => result.status === 204)).toHaveLength(3);
    expect(dispatched.sort()).toEqual([...submitted].sort());
    for (const jobId of submitted) expect(jobRow(jobId)!.attempts).toBe(1);
  });

  it("hands out jobs in submission order, as the computeModuleJobV1 the SDKs expect", async () => {
    const session = await freshRuntime({ maxConcurrentTasks: 2 });
    const first = await submit(session.rid, "first", { x: 1, nested: { list: [1, "two", null] } });
    const second = await submit(session.rid, "second", "a string query");
    const one = (await pollJob(session)).job!;
    const two = (await pollJob(session)).job!;
    expect(one.type).toBe("computeModuleJobV1");
    expect(Object.keys(one.computeModuleJobV1).sort()).toEqual(["authHeader", "jobId", "query", "queryType", "temporaryCredentialsAuthToken", "userId"]);
    expect(one.computeModuleJobV1).toMatchObject({ jobId: first, queryType: "first", query: { x: 1, nested: { list: [1, "two", null] } }, userId: userIdFor("alice") });
    expect(two.computeModuleJobV1).toMatchObject({ jobId: second, queryType: "second", query: "a string query" });
    expect(one.computeModuleJobV1.temporaryCredentialsAuthToken).not.toBe(two.computeModuleJobV1.temporaryCredentialsAuthToken);

    // authHeader: a fresh, valid access token of the submitter, carrying the submitter's scopes.
    const [scheme, accessToken] = one.computeModuleJobV1.authHeader.split(" ");
    expect(scheme).toBe("Bearer");
    const verification = await emulator.platform.tokenVerifier.verify(accessToken);
    expect(verification.ok).toBe(true);
    if (verification.ok) {
      expect(verification.token.principal.id).toBe(userIdFor("alice"));
      expect(verification.token.scopes).toEqual(["api:read-data"]);
      expect(verification.token.tokenId).toBe(jobRow(first)!.dispatchTokenId);
    }
    expect(jobRow(first)!.status).toBe("inProgress");
  });
});

describe("POST .../schemas", () => {
  it("stores the posted specs per function, replaces them on re-post, and answers 204", async () => {
    const session = await freshRuntime();
    const spec = (name: string, type = "string") => ({
      functionName: name,
      inputs: [{ name: "value", required: true, dataType: { type, [type]: {} }, constraints: [] }],
      output: { type: "single", single: { dataType: { type: "string", string: {} } } },
    });
    const post = (body: string) =>
      fetch(session.postSchemaUri, { method: "POST", headers: { "Module-Auth-Token": session.moduleAuthToken, "Content-Type": "application/json" }, body });
    expect((await post(JSON.stringify([spec("alpha"), spec("beta")]))).status).toBe(204);
    expect((await post(JSON.stringify([spec("beta", "integer"), spec("gamma")]))).status).toBe(204);
    const stored = emulator.platform.database.select().from(functionSchemas).where(eq(functionSchemas.runtimeId, session.runtimeId)).all();
    expect(stored.map((row) => row.functionName).sort()).toEqual(["beta", "gamma"]);
    expect(stored.find((row) => row.functionName === "beta")!.specification).toEqual(spec("beta", "integer"));
    const listed = (await (await contour.schemas(session.rid)).json()) as Array<{ functionName: string; issues: unknown[] }>;
    expect(listed).toEqual([
      { ...spec("beta", "integer"), issues: [] },
      { ...spec("gamma"), issues: [] },
    ]);

    for (const bad of ["{", '{"functionName":"x"}', '[{"inputs":[]}]', '[{"functionName":""}]', ""]) {
      const response = await post(bad);
      expect(response.status, bad).toBe(400);
      expect((await errorOf(response)).errorCode).toBe("INVALID_ARGUMENT");
    }
    expect(emulator.platform.database.select().from(functionSchemas).where(eq(functionSchemas.runtimeId, session.runtimeId)).all()).toHaveLength(2);
  });
});

describe("POST .../results/:jobId", () => {
  async function dispatchedJob(session: RuntimeSession & { rid: string }) {
    const execution = contour.execute({ deployedAppRid: session.rid, queryType: "bytes", query: {} });
    const polled = await pollJob(session);
    return { jobId: polled.job!.computeModuleJobV1.jobId, execution };
  }

  it("stores binary results byte for byte and sync execute returns them unchanged", async () => {
    const session = await freshRuntime();
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    const payload = Buffer.concat([everyByte, randomBytes(1024 * 1024), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])]);
    const { jobId, execution } = await dispatchedJob(session);
    expect((await postResult(session, jobId, payload)).status).toBe(204);
    const response = await execution;
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect((await bytesOf(response)).equals(payload)).toBe(true);
    expect(Buffer.from(jobRow(jobId)!.result!).equals(payload)).toBe(true);
  });

  it("accepts chunked uploads", async () => {
    const session = await freshRuntime();
    const chunks = Array.from({ length: 40 }, (_, index) => randomBytes(1000 + index));
    const { jobId, execution } = await dispatchedJob(session);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks[(body as unknown as { sent?: number }).sent ?? 0];
        (body as unknown as { sent: number }).sent = ((body as unknown as { sent?: number }).sent ?? 0) + 1;
        if (!next) return controller.close();
        await new Promise((done) => setImmediate(done));
        controller.enqueue(next);
      },
    });
    const response = await postResult(session, jobId, body, { duplex: "half" } as RequestInit);
    expect(response.status).toBe(204);
    expect((await bytesOf(await execution)).equals(Buffer.concat(chunks))).toBe(true);
  });

  it("refuses a result over FOUNDRY_MAX_RESULT_BYTES with 413 (declared or chunked) and stores nothing", async () => {
    const session = await freshRuntime();
    const { jobId, execution } = await dispatchedJob(session);
    const tooLarge = Buffer.alloc(4 * 1024 * 1024 + 1, 7);
    const declared = await postResult(session, jobId, tooLarge);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).errorCode).toBe("REQUEST_ENTITY_TOO_LARGE");
    let sent = 0;
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 5) return controller.close();
        sent += 1;
        controller.enqueue(Buffer.alloc(1024 * 1024, 1));
      },
    });
    const chunked = await postResult(session, jobId, streamed, { duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(jobRow(jobId)).toMatchObject({ status: "inProgress", result: null });
    expect((await postResult(session, jobId, "fits")).status).toBe(204);
    expect(await (await execution).text()).toBe("fits");
  });

  it("takes one result per dispatched job: a second is 409, another runtime's or an unknown job 404, an undispatched one 409", async () => {
    const session = await freshRuntime();
    const other = await freshRuntime();
    const { jobId, execution } = await dispatchedJob(session);
    const foreign = await postResult(other, jobId, "x");
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).errorName).toBe("ComputeModules:JobNotFound");
    expect((await postResult(session, "00000000-0000-4000-8000-000000000000", "x")).status).toBe(404);
    expect((await postResult(session, jobId, "first")).status).toBe(204);
    const second = await postResult(session, jobId, "second");
    expect(second.status).toBe(409);
    expect(await errorOf(second)).toMatchObject({ errorName: "ComputeModules:JobAlreadyFinished", parameters: { jobId, status: "succeeded" } });
    expect(await (await execution).text()).toBe("first");

    const queued = await submit(session.rid);
    const early = await postResult(session, queued, "too early");
    expect(early.status).toBe(409);
    expect((await errorOf(early)).errorName).toBe("ComputeModules:JobNotDispatched");
    expect(jobRow(queued)!.status).toBe("queued");
  });

  it("maps the SDKs' error objects to failed and anything else to succeeded, keeping the bytes", async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['{"error":"RangeError","reason":"too big"}', "failed", "RangeError: too big"],
      ['{"error":"Unknown query type"}', "failed", "Unknown query type"],
      ['{"exception":"ValueError: bad: Traceback ..."}', "failed", "ValueError: bad: Traceback ..."],
      ['{"error":"x","details":1}', "succeeded", undefined],
      ['{"error":42}', "succeeded", undefined],
      ['"error"', "succeeded", undefined],
      ["[1,2]", "succeeded", undefined],
    ];
    const session = await freshRuntime();
    for (const [body, status, message] of cases) {
      const jobId = await submit(session.rid);
      const polled = await pollJob(session);
      expect(polled.job!.computeModuleJobV1.jobId).toBe(jobId);
      expect((await postResult(session, jobId, body)).status).toBe(204);
      const row = jobRow(jobId)!;
      expect(row.status, body).toBe(status);
      expect(row.failureMessage, body).toBe(message ?? null);
      expect(Buffer.from(row.result!).toString("utf8")).toBe(body);
    }
  });
});

describe("POST .../restart", () => {
  it("fails the runtime's in-flight jobs, answers their ids, and leaves queued jobs queued", async () => {
    const session = await freshRuntime({ maxConcurrentTasks: 2 });
    const firstExecution = contour.execute({ deployedAppRid: session.rid, queryType: "one", query: {} });
    const first = (await pollJob(session)).job!.computeModuleJobV1.jobId;
    const second = await submit(session.rid, "two");
    expect((await pollJob(session)).job!.computeModuleJobV1.jobId).toBe(second);
    const waiting = await submit(session.rid, "three");

    const restart = await fetch(session.restartNotificationUri, { method: "POST", headers: { "Module-Auth-Token": session.moduleAuthToken } });
    expect(restart.status).toBe(200);
    expect(restart.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await restart.json()) as string[]).sort()).toEqual([first, second].sort());
    expect(jobRow(first)).toMatchObject({ status: "failed", failureName: "ComputeModules:ModuleRestarted" });
    expect(jobRow(waiting)!.status).toBe("queued");

    const execution = await firstExecution;
    expect(execution.status).toBe(409);
    expect(await errorOf(execution)).toMatchObject({ errorName: "ModuleGroupMultiplexer:JobFailed", parameters: { jobId: first, failure: "ComputeModules:ModuleRestarted" } });
    const status = (await (await contour.status(second)).json()) as { type: string; failed: { exception: { errorType: { name: string } } } };
    expect(status.type).toBe("failed");
    expect(status.failed.exception.errorType.name).toBe("ComputeModules:ModuleRestarted");
    // A late result of a failed job is refused.
    expect((await postResult(session, first, "late")).status).toBe(409);

    const again = await fetch(session.restartNotificationUri, { method: "POST", headers: { "Module-Auth-Token": session.moduleAuthToken } });
    expect(await again.json()).toEqual([]);
  });
});

describe("resetting a runtime with jobs in flight", () => {
  it("fails those jobs with a clear reason, keeps queued ones, and ends the old session (even a waiting poll)", async () => {
    const session = await freshRuntime({ maxConcurrentTasks: 2 });
    const inFlight = await submit(session.rid, "running");
    expect((await pollJob(session)).job!.computeModuleJobV1.jobId).toBe(inFlight);
    const queued = await submit(session.rid, "queued");

    const slowEmulatorPoll = pollJob(session); // dispatches `queued`
    expect((await slowEmulatorPoll).job!.computeModuleJobV1.jobId).toBe(queued);
    const stillQueued = await submit(session.rid, "still queued");

    const reset = await openRuntime(emulator.baseUrl, { runtimeId: session.runtimeId, deployedAppRid: session.rid });
    expect(reset.status).toBe(200);
    expect(reset.failedJobIds.sort()).toEqual([inFlight, queued].sort());
    for (const jobId of [inFlight, queued]) {
      expect(jobRow(jobId)).toMatchObject({ status: "failed", failureName: "ComputeModules:RuntimeReset" });
      expect(jobRow(jobId)!.failureMessage).toContain("was reset");
    }
    expect((await pollJob(session)).status).toBe(401);
    const next = await pollJob(reset);
    expect(next.job!.computeModuleJobV1.jobId).toBe(stillQueued);
  });

  it("answers 401 to a poll that was waiting with the old token", async () => {
    const session = await freshRuntime();
    const waiting = pollJob(session);
    await new Promise((done) => setTimeout(done, 50));
    const reset = await openRuntime(emulator.baseUrl, { runtimeId: session.runtimeId });
    await submit(session.rid);
    expect((await waiting).status).toBe(401);
    expect((await pollJob(reset)).status).toBe(200);
  });
});
