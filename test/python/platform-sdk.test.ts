import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servicePrincipalIdFor, userIdFor } from "@foundry-emulator/config";
import { freePort, startEmulatorProcess, type EmulatorProcess } from "../support/emulator";
import { assertPythonReady, startPython, type PythonProcess } from "../support/python";
import { rawRequest } from "../support/raw-request";

/*
 * The unmodified Python platform SDK (`foundry` 0.29) judges the emulator over its HTTPS listener,
 * trusting only the emulator's CA. Each script runs once (they are slow to import) and prints JSON;
 * the tests run concurrently and assert on their script's result.
 */

const scripts = join(import.meta.dirname, "platform");
const redirectUrl = "http://localhost:5173/auth/callback";
const organization = "ri.multipass..organization.3a6b0c1e-2f4d-4c8b-9a7e-5d1f0b2c3d4e";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A seed of this file's own, so the expectations below do not move with seeds/default.yaml.
const seed = `
foundry:
  users:
    - username: alice
      display_name: Alice Analyst
      email: alice@example.test
      given_name: Alice
      family_name: Analyst
      realm: palantir-internal-realm
      organization_rid: ${organization}
      attributes: { team: [Analytics] }
    - username: bob
      display_name: Bob Builder
      realm: palantir-internal-realm
      organization_rid: ${organization}
    - username: carol.inactive
      realm: palantir-internal-realm
      active: false
  oauth_clients:
    - client_id: public-app
      redirect_uris: [${redirectUrl}]
      grant_types: [authorization_code, refresh_token]
    - client_id: service-app
      client_secret: service-app-secret
      grant_types: [client_credentials]
      allowed_scopes: [api:admin-read, api:read-data]
`;

let emulator: EmulatorProcess;
let directory: string;
let ca: string;
let hostname: string;
let pythonEnvironment: Record<string, string>;

/** A request through Node's https client trusting only the emulator's CA. */
const https = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) => rawRequest(url, { ...options, ca });

const getCurrent = (token: string) => https(`https://${hostname}/api/v2/admin/users/getCurrent`, { headers: { Authorization: `Bearer ${token}` } });

/** Runs a script with both SDKs on PYTHONPATH; its last stdout line is its JSON result. */
// biome-ignore lint/suspicious/noExplicitAny: a script's JSON result, asserted field by field below.
async function runScript(name: string, args: string[] = []): Promise<any> {
  const python = startPython(join(scripts, name), { args, environment: pythonEnvironment });
  const killer = setTimeout(() => python.child.kill("SIGKILL"), 45_000);
  const code = await python.exited;
  clearTimeout(killer);
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${python.output()}`);
  return JSON.parse(python.stdout().trim().split("\n").at(-1)!);
}

/** The browser: loads the authorize page the SDK built, clicks a user in the picker, reads the redirect without following it. */
async function pickUser(authorizeUrl: string, username: string) {
  const page = await https(authorizeUrl);
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1];
  const requestId = /name="request_id" value="([^"]+)"/.exec(page.body)?.[1];
  const offered = [...page.body.matchAll(/name="username" value="([^"]+)"/g)].map((match) => match[1]);
  if (!action || !requestId) throw new Error(`no picker form in the authorize page (${page.status}): ${page.body}`);
  const answer = await https(new URL(action, authorizeUrl).href, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request_id: requestId, username }).toString(),
  });
  const location = new URL(String(answer.headers.location));
  return {
    pageStatus: page.status,
    offered,
    redirectStatus: answer.status,
    redirectedTo: `${location.origin}${location.pathname}`,
    code: location.searchParams.get("code"),
    state: location.searchParams.get("state"),
  };
}

/** Runs public-client.py, answering each of its sign-ins as the browser would, picking `users[label]`. */
async function runPublicClient(users: Record<string, string>) {
  const python: PythonProcess = startPython(join(scripts, "public-client.py"), { environment: { ...pythonEnvironment, REDIRECT_URL: redirectUrl }, stdin: "pipe" });
  // A script that died early closes its stdin: its exit code and output tell why, not an EPIPE.
  python.child.stdin!.on("error", () => {});
  const killer = setTimeout(() => python.child.kill("SIGKILL"), 45_000);
  const signIns: Array<{ label: string; url: string } & Awaited<ReturnType<typeof pickUser>>> = [];
  // biome-ignore lint/suspicious/noExplicitAny: a script's JSON result, asserted field by field below.
  let result: any;
  try {
    for await (const line of createInterface({ input: python.child.stdout! })) {
      const message = JSON.parse(line);
      if (message.event === "authorize") {
        const picked = await pickUser(message.url, users[message.label]!);
        signIns.push({ label: message.label, url: message.url, ...picked });
        python.child.stdin!.write(`${JSON.stringify({ code: picked.code, state: picked.state })}\n`);
      } else if (message.event === "result") {
        result = message;
      }
    }
  } finally {
    python.child.stdin!.end();
    await python.exited;
    clearTimeout(killer);
  }
  const code = await python.exited;
  if (code !== 0 || !result) throw new Error(`public-client.py exited with ${code}:\n${python.output()}`);
  return { signIns, result };
}

/** Memoized, so each script runs once for all the tests reading its result. */
const once = <T>(run: () => Promise<T>) => {
  let running: Promise<T> | undefined;
  return () => (running ??= run());
};

beforeAll(async () => {
  assertPythonReady();
  directory = mkdtempSync(join(tmpdir(), "foundry-python-platform-"));
  writeFileSync(join(directory, "seed.yaml"), seed);
  const tlsPort = await freePort();
  hostname = `localhost:${tlsPort}`;
  emulator = await startEmulatorProcess({
    port: await freePort(),
    environment: {
      FOUNDRY_DB: join(directory, "foundry.db"),
      FOUNDRY_SEED: join(directory, "seed.yaml"),
      FOUNDRY_TLS_PORT: String(tlsPort),
      FOUNDRY_PUBLIC_URL: `https://${hostname}`,
      // The SDK's refresh timer sleeps expires_in - 60 s: 61 s makes it refresh after 1 s.
      FOUNDRY_ACCESS_TOKEN_TTL: "61",
      LOG_LEVEL: "silent",
    },
  });
  ca = await (await fetch(`${emulator.baseUrl}/_emulate/ca.pem`)).text();
  writeFileSync(join(directory, "ca.pem"), ca);
  // REQUESTS_CA_BUNDLE replaces the system bundle the machine's environment points requests at.
  pythonEnvironment = { FOUNDRY_HOSTNAME: hostname, REQUESTS_CA_BUNDLE: join(directory, "ca.pem") };
});

afterAll(async () => {
  await emulator?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/** Mints a token for a user through the control plane (no browser), valid beyond this file's run. */
async function mintToken(username: string, scopes: string[]): Promise<string> {
  const response = await fetch(`${emulator.baseUrl}/_emulate/foundry/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, scopes, expires_in: 600 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const confidential = once(() => runScript("confidential-client.py"));
const userToken = once(async () => runScript("user-token.py", [await mintToken("alice", ["api:admin-read"]), await mintToken("alice", ["api:read-data"])]));
const publicClient = once(() => runPublicClient({ refreshing: "alice", plain: "bob" }));

// Generous: on a loaded two-core machine the SDK alone takes seconds to import.
describe.concurrent("the Python platform SDK (foundry 0.29) against the emulator over HTTPS", { timeout: 60_000 }, () => {
  it("ConfidentialClientAuth signs in with client_credentials and get_current returns the service principal", async () => {
    const { signIn, user } = await confidential();
    expect(signIn.tokenType).toBe("bearer");
    expect(signIn.session.expiresIn).toBe(61);
    expect(user).toEqual({
      type: "foundry.v2.admin.models._user.User",
      id: servicePrincipalIdFor("service-app"),
      username: "service-app",
      realm: "palantir-internal-realm",
      organization: null, // a service user has none (omitted, since "" is not a RID)
      status: "ACTIVE",
      attributes: { "multipass:realm": [expect.stringMatching(uuidPattern)] },
    });
  });

  it("UserTokenAuth with a user's token: get_current is parsed into the SDK's User model with every field", async () => {
    const { user } = await userToken();
    expect(user).toEqual({
      type: "foundry.v2.admin.models._user.User",
      id: userIdFor("alice"),
      username: "alice",
      givenName: "Alice",
      familyName: "Analyst",
      email: "alice@example.test",
      realm: "palantir-internal-realm",
      organization,
      status: "ACTIVE",
      attributes: {
        team: ["Analytics"],
        "multipass:givenName": ["Alice"],
        "multipass:familyName": ["Analyst"],
        "multipass:email:primary": ["alice@example.test"],
        "multipass:realm": [expect.stringMatching(uuidPattern)],
        "multipass:organization-rid": [organization],
      },
      toDict: expect.objectContaining({ id: userIdFor("alice"), givenName: "Alice", familyName: "Analyst", status: "ACTIVE", organization }),
    });
    expect(user.id).toMatch(uuidPattern);
  });

  it("the SDK's HTTPS is really verified: trusting only the public CAs instead of the emulator's, it refuses", async () => {
    const { untrusted } = await userToken();
    expect(untrusted).toEqual({ raised: "requests.exceptions.SSLError" });
  });

  it("PublicClientAuth: sign_in's URL, the picker, the redirect's code and state into set_token, then get_current", async () => {
    const { signIns, result } = await publicClient();
    expect(signIns.map((signIn) => signIn.label)).toEqual(["refreshing", "plain"]);
    const [first] = signIns;
    const authorize = new URL(first!.url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`https://${hostname}/multipass/api/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "public-app",
      redirect_uri: redirectUrl,
      code_challenge_method: "S256",
      scope: "api:admin-read offline_access",
    });
    // The picker offers the active users only; its answer redirects to the registered URI.
    expect(first).toMatchObject({ pageStatus: 200, offered: ["alice", "bob"], redirectStatus: 303, redirectedTo: redirectUrl });
    expect(first!.code).toBeTruthy();
    expect(first!.state).toBe(authorize.searchParams.get("state"));
    expect(result.signIn).toEqual({
      expiresIn: 61,
      hasRefreshToken: true,
      user: { id: userIdFor("alice"), username: "alice", realm: "palantir-internal-realm", status: "ACTIVE" },
    });
    // The second sign-in picked bob: the code is bound to the user clicked in the picker.
    expect(result.signOut.user).toEqual({ id: userIdFor("bob"), username: "bob", realm: "palantir-internal-realm", status: "ACTIVE" });
  });

  it("ConfidentialClientAuth(should_refresh=True) gets a new token by itself before expiry and keeps working", async () => {
    const { refresh } = await confidential();
    expect(refresh.expiresIn).toBe(61);
    expect(refresh.refreshedToken).not.toBe(refresh.firstToken);
    expect(refresh.userAfterRefresh).toMatchObject({ username: "service-app", id: servicePrincipalIdFor("service-app") });
    expect((await getCurrent(refresh.refreshedToken)).status).toBe(200);
  });

  it("PublicClientAuth(should_refresh=True) refreshes with a refresh_token grant, rotating the refresh token", async () => {
    const { result } = await publicClient();
    const { refresh } = result;
    expect(refresh.refreshedAccessToken).not.toBe(refresh.firstAccessToken);
    expect(refresh.refreshedRefreshToken).toBeTruthy();
    expect(refresh.refreshedRefreshToken).not.toBe(refresh.firstRefreshToken);
    expect(refresh.userAfterRefresh).toMatchObject({ username: "alice" });
    expect((await getCurrent(refresh.refreshedAccessToken)).status).toBe(200);
    // The emulator saw the SDK's refresh grants (the journal is written in batches every 200 ms).
    let refreshGrants = 0;
    for (const deadline = Date.now() + 5_000; refreshGrants === 0 && Date.now() < deadline; ) {
      await new Promise((done) => setTimeout(done, 100));
      const journal = (await (await fetch(`${emulator.baseUrl}/_emulate/requests?limit=1000`)).json()) as {
        data: Array<{ path: string; status: number; clientId: string | null; grantType: string | null }>;
      };
      refreshGrants = journal.data.filter(
        (entry) => entry.path === "/multipass/api/oauth2/token" && entry.grantType === "refresh_token" && entry.clientId === "public-app" && entry.status === 200,
      ).length;
    }
    expect(refreshGrants).toBeGreaterThan(0);
  });

  it("a bad token raises SDKInternalError wrapping the 401 HTTPError, whose body is Foundry's Default:Unauthorized", async () => {
    const { badToken } = await userToken();
    expect(badToken).toMatchObject({
      raised: "SDKInternalError",
      cause: "requests.exceptions.HTTPError",
      status: 401,
      body: { errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized", parameters: {}, errorInstanceId: expect.stringMatching(uuidPattern) },
    });
    expect(badToken.message).toMatch(/^401 Client Error/);
  });

  it("a token without api:admin-read raises PalantirRPCException ApiUsageDenied with missingScope (user and service tokens)", async () => {
    const [{ missingScope: fromUser }, { missingScope: fromService }] = await Promise.all([userToken(), confidential()]);
    for (const raised of [fromUser, fromService]) {
      expect(raised).toEqual({
        raised: "PalantirRPCException",
        name: "ApiUsageDenied",
        parameters: { missingScope: "api:admin-read" },
        errorInstanceId: expect.stringMatching(uuidPattern),
      });
    }
  });

  it("sign_out revokes the access token: getCurrent then answers 401 to it", async () => {
    const [{ signOut: confidentialSignOut, user }, { result }] = await Promise.all([confidential(), publicClient()]);
    // Both tokens worked in the SDK before sign_out (get_current above), and are dead after it.
    expect(user.username).toBe("service-app");
    expect(result.signOut.user.username).toBe("bob");
    for (const token of [confidentialSignOut.revokedToken, result.signOut.revokedToken]) {
      const response = await getCurrent(token);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body)).toMatchObject({ errorCode: "UNAUTHORIZED", errorName: "Default:Unauthorized" });
    }
    // The SDK itself forgets the token: the next call fails before any request.
    expect(confidentialSignOut.afterSignOut).toEqual({ raised: "SDKInternalError", cause: "NotAuthenticated" });
  });
});
