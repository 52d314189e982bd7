import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { repositoryRoot } from "./processes";

export const contourPath = "/contour-backend-multiplexer/api/module-group-multiplexer";
export const publicClientRedirectUri = "http://localhost:5173/auth/callback";
export const basicServiceApp = `Basic ${Buffer.from("service-app:service-app-secret").toString("base64")}`;

async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

/** A client_credentials token of the seeded service-app. */
export async function serviceToken(baseUrl: string, scope: string): Promise<string> {
  const response = await expectOk(
    await fetch(`${baseUrl}/multipass/api/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basicServiceApp },
      body: new URLSearchParams({ grant_type: "client_credentials", scope }),
    }),
    "client_credentials",
  );
  return ((await response.json()) as { access_token: string }).access_token;
}

export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizePath(challenge: string, scope = "api:admin-read") {
  const query = new URLSearchParams({
    client_id: "public-app",
    response_type: "code",
    redirect_uri: publicClientRedirectUri,
    state: "bench",
    scope,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  return `/multipass/api/oauth2/authorize?${query}`;
}

export const requestIdPattern = /name="request_id" value="([^"]+)"/;

/** alice's access token through the whole authorization-code + PKCE flow (what a browser app gets). */
export async function userToken(baseUrl: string, scope = "api:admin-read"): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const picker = await (await expectOk(await fetch(`${baseUrl}${authorizePath(challenge, scope)}`), "authorize")).text();
  const requestId = requestIdPattern.exec(picker)?.[1];
  if (!requestId) throw new Error("authorize: no request_id in the picker");
  const callback = await fetch(`${baseUrl}/multipass/api/oauth2/authorize/callback`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId, username: "alice" }),
    redirect: "manual",
  });
  const code = new URL(callback.headers.get("location") ?? "http://invalid/").searchParams.get("code");
  if (!code) throw new Error(`callback: ${callback.status}, no code`);
  const token = await expectOk(
    await fetch(`${baseUrl}/multipass/api/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", client_id: "public-app", code, code_verifier: verifier, redirect_uri: publicClientRedirectUri }),
    }),
    "token",
  );
  return ((await token.json()) as { access_token: string }).access_token;
}

export interface RuntimeSession {
  runtimeId: string;
  moduleAuthToken: string;
  environment: Record<string, string>;
}

/** Opens a runtime session bound to a deployed app and writes the module's files. */
export async function openRuntime(
  baseUrl: string,
  options: { runtimeId: string; deployedAppRid: string; filesDirectory: string; maxConcurrentTasks?: number },
): Promise<RuntimeSession> {
  const response = await expectOk(
    await fetch(`${baseUrl}/_emulate/foundry/compute-modules/runtimes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(options),
    }),
    "open runtime",
  );
  const session = (await response.json()) as RuntimeSession & { files: Array<{ path: string; content: string }> };
  for (const file of session.files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content);
  }
  return session;
}

/** The real @palantir/compute-module module of the test suite (test/compute/fixtures/example-module.mjs). */
export function startRealModule(session: RuntimeSession): ChildProcess {
  return spawn(process.execPath, [join(repositoryRoot, "test/compute/fixtures/example-module.mjs")], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? "", ...session.environment },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** bench/fast-module.mjs: the runtime protocol with several pollers, no SDK. */
export function startFastModule(session: RuntimeSession, pollers: number, onCompleted: (completed: number) => void): ChildProcess {
  const child = spawn(process.execPath, [join(repositoryRoot, "bench/fast-module.mjs")], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? "",
      GET_JOB_URI: session.environment.GET_JOB_URI!,
      POST_RESULT_URI: session.environment.POST_RESULT_URI!,
      MODULE_AUTH_TOKEN_VALUE: session.moduleAuthToken,
      POLLERS: String(pollers),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      try {
        onCompleted((JSON.parse(line) as { completed: number }).completed);
      } catch {
        // not a progress line
      }
    }
  });
  return child;
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 3000).unref();
  });
}
