// The compose stack for real: auth + compute + the nginx gateway + the example module containers
// (profile "module": TypeScript on the seeded runtime, Python on a session it opens), driven
// through the gateway with the real clients. Then the compute service is restarted with jobs
// queued, and the whole stack is taken down and up again on its volume.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import * as oauth from "oauth4webapi";
import { createConfidentialOauthClient } from "@osdk/oauth";
import { Users } from "@osdk/foundry.admin";
import { createSharedClientContext } from "@osdk/shared.client.impl";
import { parseSignInForm } from "@foundry-emulator/testcontainers";
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { computeModuleSdkPath } from "../support/python";
import { ComposeProject, docker, freePort, repositoryRoot, waitFor, waitHealthy } from "./support/docker";

const userAgent = "foundry-emulator-docker-tests/1.0";
const deployedAppRid = "ri.foundry.main.deployed-app.agent-loop";
/** The Python example's own runtime session, opened by its container (docker-compose.yml). */
const pythonAppRid = "ri.foundry.main.deployed-app.python-module";
const multiplexer = "/contour-backend-multiplexer/api/module-group-multiplexer";
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface JobStatus {
  type: string;
}

describe("the compose stack (docker-compose.yml, profile module)", () => {
  let project: ComposeProject;
  let baseUrl = "";
  let failed = false;

  // State carried from one step to the next, as a user's session would.
  let serviceToken = "";
  let aliceRefreshToken = "";
  const finishedJobs: Array<{ id: string; expected: string }> = [];

  const contour = (method: string, path: string, body?: unknown, token = serviceToken) =>
    fetch(`${baseUrl}${multiplexer}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, application/octet-stream" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const getCurrentWith = (token: string) => Users.getCurrent(createSharedClientContext(baseUrl, async () => token, userAgent));

  async function gatewayHealth(): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${baseUrl}/_emulate/health`);
    return { status: response.status, body: await response.json() };
  }

  async function stackHealthy(timeoutMs = 60_000) {
    await waitHealthy(await project.container("gateway"), timeoutMs);
    await waitFor("gateway health 200", async () => ((await gatewayHealth()).status === 200 ? true : undefined), timeoutMs);
  }

  async function waitForJob(id: string, timeoutMs = 30_000): Promise<JobStatus> {
    return waitFor(
      `job ${id} to finish`,
      async () => {
        const status = (await (await contour("GET", `/jobs/${id}/status`)).json()) as JobStatus;
        return status.type === "queued" || status.type === "inProgress" ? undefined : status;
      },
      timeoutMs,
      100,
    );
  }

  async function waitForModuleSchemas(rid = deployedAppRid) {
    return waitFor(
      `the function schemas of ${rid}'s module`,
      async () => {
        const response = await contour("GET", `/deployed-apps/${rid}/master/function-schemas`);
        if (response.status !== 200) return undefined; // the Python module has not opened its session yet
        const schemas = (await response.json()) as Array<{ functionName: string }>;
        return schemas.length > 0 ? schemas : undefined;
      },
      60_000,
      250,
    );
  }

  let tlsPort = 0;

  beforeAll(async () => {
    const port = await freePort();
    tlsPort = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    project = new ComposeProject(
      `fe-compose-${process.pid}`,
      {
        FOUNDRY_GATEWAY_PORT: String(port),
        FOUNDRY_GATEWAY_TLS_PORT: String(tlsPort),
        FOUNDRY_PUBLIC_URL: baseUrl,
        FOUNDRY_JOB_POLL_WAIT_MS: "3000",
        LOG_LEVEL: "warn",
        PYTHON_COMPUTE_MODULE_SDK: computeModuleSdkPath,
      },
      ["module"],
    );
    const started = performance.now();
    try {
      await project.compose(["up", "-d"]);
      await stackHealthy();
    } catch (error) {
      failed = true;
      throw error;
    }
    console.log(`[compose] up -d → gateway healthy: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  afterEach((context) => {
    if (context.task.result?.state === "fail") failed = true;
  });

  afterAll(async () => {
    if (!project) return;
    if (failed) console.log(await project.logs());
    await project.compose(["down", "-v", "--remove-orphans"]).catch((error: Error) => console.error(error.message));
  });

  it("answers /_emulate/health at the gateway for the whole stack", async () => {
    expect(await gatewayHealth()).toEqual({ status: 200, body: { status: "ok", service: "all" } });
  });

  it("serves the API over HTTPS on the gateway's TLS port, trusted through /_emulate/ca.pem", async () => {
    const ca = await (await fetch(`${baseUrl}/_emulate/ca.pem`)).text();
    const get = (url: string, trusted: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = httpsRequest(url, { ca: trusted }, (incoming) => {
          let body = "";
          incoming.on("data", (chunk) => (body += chunk));
          incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body }));
        });
        outgoing.on("error", reject);
        outgoing.end();
      });
    const health = await get(`https://localhost:${tlsPort}/_emulate/health`, ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "ok", service: "all" });
    await expect(get(`https://localhost:${tlsPort}/_emulate/health`, "")).rejects.toThrow();
  });

  it("applied each migration once although both services opened the new database together", async () => {
    const journal = JSON.parse(readFileSync(join(repositoryRoot, "migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] };
    const query = [
      "const Database = require('/app/node_modules/better-sqlite3');",
      "const db = new Database('/data/foundry.db', { readonly: true });",
      "process.stdout.write(JSON.stringify(db.prepare('SELECT created_at, COUNT(*) AS times FROM __drizzle_migrations GROUP BY created_at').all()));",
    ].join(" ");
    const { stdout } = await docker(["exec", await project.container("auth"), "node", "-e", query]);
    const applied = JSON.parse(stdout) as Array<{ times: number }>;
    expect(applied).toHaveLength(journal.entries.length);
    expect(applied.every((migration) => migration.times === 1)).toBe(true);
  });

  it("serves the real confidential client: client_credentials token, then Users.getCurrent", async () => {
    const auth = createConfidentialOauthClient("service-app", "service-app-secret", baseUrl, ["api:admin-read"]);
    serviceToken = (await auth())!;
    const user = await Users.getCurrent(createSharedClientContext(baseUrl, auth, userAgent));
    expect(user.username).toBe("service-app");
    expect(user.status).toBe("ACTIVE");
  });

  it("signs alice in with the authorization code flow and PKCE (oauth4webapi)", async () => {
    const issuer = `${baseUrl}/multipass`;
    const as: oauth.AuthorizationServer = { issuer, authorization_endpoint: `${issuer}/api/oauth2/authorize`, token_endpoint: `${issuer}/api/oauth2/token` };
    const client: oauth.Client = { client_id: "confidential-app" };
    const clientAuth = oauth.ClientSecretBasic("confidential-app-secret");
    const redirectUri = "http://localhost:3000/auth/callback";
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();

    const authorizationUrl = new URL(as.authorization_endpoint!);
    authorizationUrl.search = new URLSearchParams({
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: "api:admin-read offline_access",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    const page = await fetch(authorizationUrl, { redirect: "manual" });
    expect(page.status).toBe(200);
    const form = parseSignInForm(await page.text(), authorizationUrl.toString());
    expect(form.usernames).toContain("alice");
    // The form's action is on the gateway: the page was built for the URL the browser used.
    expect(new URL(form.action).origin).toBe(baseUrl);
    const answer = await fetch(form.action, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form.fields, username: "alice" }),
    });
    expect([302, 303]).toContain(answer.status);
    const callback = new URL(answer.headers.get("location")!);
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);

    const parameters = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, parameters, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    aliceRefreshToken = tokens.refresh_token!;
    expect((await getCurrentWith(tokens.access_token)).username).toBe("alice");
  });

  it("runs the seeded runtime's real module container: sync, streamed and async contour calls", async () => {
    const schemas = await waitForModuleSchemas();
    expect(schemas.map((schema) => schema.functionName).sort()).toEqual(["add", "greet", "sleep"]);

    const sync = await contour("POST", "/compute-modules/jobs/execute", { deployedAppRid, deployedAppBranch: "master", queryType: "add", query: { x: 2, y: 40 } });
    expect(sync.status).toBe(200);
    expect(await sync.text()).toBe("42");

    const streamed = await contour("POST", "/compute-modules/jobs/execute", { deployedAppRid, queryType: "count", query: { upTo: 200 } });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toBe(Array.from({ length: 200 }, (_, index) => `${JSON.stringify({ index: index + 1 })}\n`).join(""));

    const submitted = (await (await contour("POST", "/deployed-apps/jobs", { deployedAppRid, queryType: "greet", query: { name: "Ada" } })).json()) as { id: string };
    expect(await waitForJob(submitted.id)).toMatchObject({ type: "succeeded" });
    const result = await contour("GET", `/jobs/${submitted.id}/result`);
    expect(await result.text()).toBe(JSON.stringify("Hello, Ada!"));
    finishedJobs.push({ id: submitted.id, expected: JSON.stringify("Hello, Ada!") });
  });

  it("runs the Python module container on the runtime session it opened: HTTPS to the gateway, jobs through the gateway", async () => {
    const schemas = await waitForModuleSchemas(pythonAppRid);
    expect(schemas.map((schema) => schema.functionName)).toEqual(["add", "greet", "sleep"]);

    const sync = await contour("POST", "/compute-modules/jobs/execute", { deployedAppRid: pythonAppRid, deployedAppBranch: "master", queryType: "add", query: { x: 2, y: 40 } });
    expect(sync.status).toBe(200);
    expect(await sync.text()).toBe("42");

    const submitted = (await (await contour("POST", "/deployed-apps/jobs", { deployedAppRid: pythonAppRid, queryType: "greet", query: { name: "Grace" } })).json()) as {
      id: string;
      moduleId: string;
    };
    expect(submitted.moduleId).toBe("python-module");
    expect(await waitForJob(submitted.id)).toMatchObject({ type: "succeeded" });
    expect(await (await contour("GET", `/jobs/${submitted.id}/result`)).text()).toBe(JSON.stringify("Hello, Grace!"));
    finishedJobs.push({ id: submitted.id, expected: JSON.stringify("Hello, Grace!") });
    // The session handed the module the gateway's HTTPS listener (the SDK speaks nothing else).
    expect(await project.logs("python-module")).toContain('"getJobUri": "https://gateway:8443/_emulate/foundry/compute-modules/runtimes/python-module/job"');
  });

  it("loses no queued job and no token when the compute container restarts", async () => {
    // The module is stopped so the jobs stay queued while compute goes away.
    await project.compose(["stop", "example-module"]);
    const queued: Array<{ id: string; expected: string }> = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await contour("POST", "/deployed-apps/jobs", { deployedAppRid, queryType: "add", query: { x: index, y: 100 } });
      const job = (await response.json()) as { id: string; status: JobStatus };
      expect(job.status.type).toBe("queued");
      queued.push({ id: job.id, expected: String(index + 100) });
    }

    await project.compose(["stop", "compute"]);
    // While it is away the gateway says so (and nginx keeps running).
    expect(await gatewayHealth()).toEqual({ status: 503, body: { status: "unavailable", service: "all", unavailable: "compute" } });
    await project.compose(["start", "compute"]);
    await waitHealthy(await project.container("compute"));
    await stackHealthy();

    // The same access token still works on both services (compute verifies it after its restart).
    expect((await getCurrentWith(serviceToken)).username).toBe("service-app");
    for (const job of queued) {
      const status = (await (await contour("GET", `/jobs/${job.id}/status`)).json()) as JobStatus;
      expect(status.type).toBe("queued");
    }

    await project.compose(["start", "example-module"]);
    for (const job of queued) {
      expect(await waitForJob(job.id)).toMatchObject({ type: "succeeded" });
      expect(await (await contour("GET", `/jobs/${job.id}/result`)).text()).toBe(job.expected);
      finishedJobs.push(job);
    }
  });

  it("keeps its data across down and up (the volume stays)", async () => {
    await project.compose(["down"]);
    const started = performance.now();
    await project.compose(["up", "-d"]);
    await stackHealthy();
    console.log(`[compose] up -d on the existing volume → gateway healthy: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Tokens issued before (and the key that signed them) are still there...
    expect((await getCurrentWith(serviceToken)).username).toBe("service-app");
    const issuer = `${baseUrl}/multipass`;
    const as: oauth.AuthorizationServer = { issuer, token_endpoint: `${issuer}/api/oauth2/token` };
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      { client_id: "confidential-app" },
      await oauth.refreshTokenGrantRequest(as, { client_id: "confidential-app" }, oauth.ClientSecretBasic("confidential-app-secret"), aliceRefreshToken, insecure),
    );
    expect((await getCurrentWith(refreshed.access_token)).username).toBe("alice");

    // ...and so are the finished jobs and their results.
    for (const job of finishedJobs) {
      expect(((await (await contour("GET", `/jobs/${job.id}/status`)).json()) as JobStatus).type).toBe("succeeded");
      expect(await (await contour("GET", `/jobs/${job.id}/result`)).text()).toBe(job.expected);
    }

    // The module containers came back too and serve new calls (the Python one on a new session).
    const sync = await contour("POST", "/compute-modules/jobs/execute", { deployedAppRid, queryType: "add", query: { x: 1, y: 1 } });
    expect(await sync.text()).toBe("2");
    const python = await contour("POST", "/compute-modules/jobs/execute", { deployedAppRid: pythonAppRid, queryType: "add", query: { x: 2, y: 2 } });
    expect(await python.text()).toBe("4");
  });
});
