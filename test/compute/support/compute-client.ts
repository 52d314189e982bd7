import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeSession } from "@foundry-emulator/testcontainers";
import { repositoryRoot } from "../../support/emulator";
import { basicAuthorization, postForm } from "../../support/oauth";

export const runtimesUrl = (baseUrl: string) => `${baseUrl}/_emulate/foundry/compute-modules/runtimes`;
export const multiplexerUrl = (baseUrl: string) => `${baseUrl}/contour-backend-multiplexer/api/module-group-multiplexer`;

/** What POST .../runtimes answers: the same shape the testcontainers module gives its users. */
export type { RuntimeSession };

export interface ModuleJob {
  type: "computeModuleJobV1";
  computeModuleJobV1: { jobId: string; queryType: string; query: unknown; temporaryCredentialsAuthToken: string; authHeader: string; userId: string };
}

export async function openRuntime(baseUrl: string, body: Record<string, unknown> = {}): Promise<RuntimeSession & { status: number }> {
  const response = await fetch(runtimesUrl(baseUrl), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (response.status !== 201 && response.status !== 200) throw new Error(`runtime session: ${response.status} ${await response.text()}`);
  return { status: response.status, ...((await response.json()) as RuntimeSession) };
}

/** A module's GET .../job, as the runtime's URIs name it (over plain HTTP). */
export async function pollJob(
  session: Pick<RuntimeSession, "getJobUri" | "moduleAuthToken">,
  signal?: AbortSignal,
): Promise<{ status: number; job: ModuleJob | undefined; text: string }> {
  const response = await fetch(session.getJobUri, { headers: { "Module-Auth-Token": session.moduleAuthToken }, signal });
  const text = await response.text();
  return { status: response.status, job: response.status === 200 ? (JSON.parse(text) as ModuleJob) : undefined, text };
}

export function postResult(session: Pick<RuntimeSession, "postResultUri" | "moduleAuthToken">, jobId: string, body: BodyInit, extra: RequestInit = {}) {
  return fetch(`${session.postResultUri}/${jobId}`, {
    method: "POST",
    headers: { "Module-Auth-Token": session.moduleAuthToken, "Content-Type": "application/octet-stream" },
    body,
    ...extra,
  });
}

/** The contour routes, called the way conjure-lite calls them. */
export function contourClient(baseUrl: string, token: string | undefined) {
  const base = multiplexerUrl(baseUrl);
  const headers = (accept: string): Record<string, string> => ({
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    "Content-Type": "application/json",
    "Fetch-User-Agent": "conjure-lite",
    Accept: accept,
  });
  /** A string body is sent as it is (already serialized); anything else as JSON. */
  const send = (method: string, path: string, body?: unknown, accept = "application/json", signal?: AbortSignal) =>
    fetch(`${base}${path}`, { method, headers: headers(accept), body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), signal });
  return {
    execute: (body: unknown, signal?: AbortSignal) => send("POST", "/compute-modules/jobs/execute", body, "application/octet-stream", signal),
    submit: (body: unknown) => send("POST", "/deployed-apps/jobs", body),
    status: (jobId: string) => send("GET", `/jobs/${jobId}/status`),
    statusV2: (job: unknown) => send("PUT", "/jobs/status/v2", JSON.stringify(job)),
    result: (jobId: string) => send("GET", `/jobs/${jobId}/result`, undefined, "application/octet-stream"),
    resultV2: (job: unknown) => send("PUT", "/jobs/result/v2", JSON.stringify(job), "application/octet-stream"),
    cancel: (jobId: string) => send("DELETE", `/jobs/${jobId}`),
    schemas: (rid: string, branch = "master") => send("GET", `/deployed-apps/${rid}/${branch}/function-schemas`),
    raw: send,
  };
}

/** Polls a job's status until it is neither queued nor in progress; answers that status. */
export async function waitForFinalStatus(contour: ReturnType<typeof contourClient>, jobId: string, timeoutMs = 10_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await contour.status(jobId)).json()) as { type: string };
    if (status.type !== "queued" && status.type !== "inProgress") return status;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${status.type}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** An access token from the auth service itself: client_credentials of the seeded backend service. */
export async function serviceAppToken(baseUrl: string): Promise<string> {
  const issued = await postForm(
    `${baseUrl}/multipass/api/oauth2/token`,
    { grant_type: "client_credentials", scope: "api:read-data" },
    {
      Authorization: basicAuthorization("service-app", "service-app-secret"),
    },
  );
  if (issued.status !== 200) throw new Error(`client_credentials: ${issued.status} ${issued.text}`);
  return issued.json.access_token as string;
}

export async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

/** Writes the files a session's environment names (module token without a trailing newline, CA), as Foundry mounts them. */
export function writeModuleFiles(session: Pick<RuntimeSession, "files">): void {
  for (const file of session.files) {
    mkdirSync(join(file.path, ".."), { recursive: true });
    writeFileSync(file.path, file.content);
  }
}

export interface ModuleProcess {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts the example module (the real @palantir/compute-module SDK) as its own Node process, with
 * exactly the environment the runtime endpoint returned; its files (module token without a
 * trailing newline, CA) are written under `directory` (the session's filesDirectory).
 */
export function startModuleProcess(session: RuntimeSession, options: { extraEnvironment?: Record<string, string> } = {}): ModuleProcess {
  writeModuleFiles(session);
  let output = "";
  const child = spawn(process.execPath, [join(repositoryRoot, "test/compute/fixtures/example-module.mjs")], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...session.environment, ...options.extraEnvironment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGKILL");
      }),
  };
}
