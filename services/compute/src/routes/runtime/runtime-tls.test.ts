import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startEmulatorProcess, type EmulatorProcess } from "../../../../../test/support/emulator";
import { contourClient, openRuntime, type RuntimeSession } from "../../../../../test/compute/support/compute-client";

/** Node's https client, trusting only `ca`. */
function httpsRequest(url: string, options: { ca: string; method?: string; headers?: Record<string, string>; body?: Buffer | string }) {
  return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? "GET", headers: options.headers, ca: options.ca }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/**
 * The compute service's own entry point (`npm run start:compute`, i.e. runService) with
 * FOUNDRY_TLS_PORT: the runtime routes over HTTPS with a certificate from the emulator's CA, and
 * module environments that point at that listener and hand out the CA.
 */
describe("the runtime over TLS", () => {
  let directory: string;
  let port: number;
  let tlsPort: number;
  let emulator: EmulatorProcess;
  let session: RuntimeSession;
  let ca: string;

  const start = async () =>
    startEmulatorProcess({
      entry: "compute",
      port,
      environment: {
        FOUNDRY_DB: join(directory, "data", "foundry.db"),
        FOUNDRY_PUBLIC_URL: `http://localhost:${port}`,
        FOUNDRY_TLS_PORT: String(tlsPort),
        FOUNDRY_JOB_POLL_WAIT_MS: "200",
        LOG_LEVEL: "silent",
      },
    });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "foundry-compute-tls-"));
    port = await freePort();
    tlsPort = await freePort();
    emulator = await start();
    session = await openRuntime(emulator.baseUrl, { runtimeId: "tls-module", deployedAppRid: "ri.foundry.main.deployed-app.tls", filesDirectory: "/etc/module" });
    ca = session.files.find((file) => file.environmentVariables.includes("DEFAULT_CA_PATH"))!.content;
  });
  afterAll(async () => {
    await emulator?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("points the module at the HTTPS listener on the public host and hands out the CA as a file", () => {
    const runtimePath = "/_emulate/foundry/compute-modules/runtimes/tls-module";
    expect(session.getJobUri).toBe(`https://localhost:${tlsPort}${runtimePath}/job`);
    expect(session.environment).toMatchObject({
      GET_JOB_URI: `https://localhost:${tlsPort}${runtimePath}/job`,
      POST_RESULT_URI: `https://localhost:${tlsPort}${runtimePath}/results`,
      POST_SCHEMA_URI: `https://localhost:${tlsPort}${runtimePath}/schemas`,
      RESTART_NOTIFICATION_URI: `https://localhost:${tlsPort}${runtimePath}/restart`,
      RUNTIME_HOST: "localhost",
      RUNTIME_PORT: String(tlsPort),
      DEFAULT_CA_PATH: "/etc/module/ca.pem",
      CONNECTIONS_TO_OTHER_PODS_CA_PATH: "/etc/module/ca.pem",
      MODULE_AUTH_TOKEN: "/etc/module/module-auth-token",
    });
    expect(session.files).toEqual([
      { path: "/etc/module/module-auth-token", content: session.moduleAuthToken, environmentVariables: ["MODULE_AUTH_TOKEN"] },
      { path: "/etc/module/ca.pem", content: ca, environmentVariables: ["DEFAULT_CA_PATH", "CONNECTIONS_TO_OTHER_PODS_CA_PATH"] },
    ]);
    // Kept with the data: the PEM files sit next to the database.
    expect(readFileSync(join(directory, "data", "tls", "ca.pem"), "utf8")).toBe(ca);
  });

  it("serves a certificate the CA signed, for localhost, 127.0.0.1, ::1 and the public host", () => {
    const authority = new X509Certificate(ca);
    const server = new X509Certificate(readFileSync(join(directory, "data", "tls", "server.pem"), "utf8"));
    expect(authority.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(authority.publicKey)).toBe(true);
    expect(server.checkIssued(authority)).toBe(true);
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkIP("::1")).toBe("::1");
    expect(server.checkHost("example.com")).toBeUndefined();
  });

  it("answers the runtime routes over HTTPS to Node's https client trusting only that CA", async () => {
    const headers = { "Module-Auth-Token": session.moduleAuthToken };
    const empty = await httpsRequest(session.getJobUri, { ca, headers });
    expect(empty.status).toBe(204);
    const byAddress = await httpsRequest(session.getJobUri.replace("localhost", "127.0.0.1"), { ca, headers: { "Module-Auth-Token": "wrong" } });
    expect(byAddress.status).toBe(401);

    const token = await mintTokenThroughDatabase();
    const execution = contourClient(emulator.baseUrl, token).execute({ deployedAppRid: "ri.foundry.main.deployed-app.tls", queryType: "q", query: { over: "tls" } });
    const polled = await httpsRequest(session.getJobUri, { ca, headers });
    expect(polled.status).toBe(200);
    const job = JSON.parse(polled.body.toString("utf8")) as { computeModuleJobV1: { jobId: string; query: unknown } };
    expect(job.computeModuleJobV1.query).toEqual({ over: "tls" });
    const result = Buffer.from([0, 1, 2, 253, 254, 255]);
    const posted = await httpsRequest(`${session.postResultUri}/${job.computeModuleJobV1.jobId}`, {
      ca,
      method: "POST",
      headers: { ...headers, "Content-Type": "application/octet-stream" },
      body: result,
    });
    expect(posted.status).toBe(204);
    expect(Buffer.from(await (await execution).arrayBuffer()).equals(result)).toBe(true);

    const restart = await httpsRequest(session.restartNotificationUri, { ca, method: "POST", headers });
    expect(restart.status).toBe(200);
    expect(JSON.parse(restart.body.toString("utf8"))).toEqual([]);
  });

  it("is refused by a client that does not trust the CA", async () => {
    await expect(httpsRequest(session.getJobUri, { ca: "" })).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });

  it("keeps the same CA and certificate across a restart", async () => {
    const serverBefore = readFileSync(join(directory, "data", "tls", "server.pem"), "utf8");
    await emulator.stop();
    emulator = await start();
    const again = await openRuntime(emulator.baseUrl, { runtimeId: "tls-module" });
    expect(again.files.find((file) => file.environmentVariables.includes("DEFAULT_CA_PATH"))!.content).toBe(ca);
    expect(readFileSync(join(directory, "data", "tls", "server.pem"), "utf8")).toBe(serverBefore);
    expect((await httpsRequest(again.getJobUri, { ca, headers: { "Module-Auth-Token": again.moduleAuthToken } })).status).toBe(204);
  });

  /** The emulator runs in another process: mint a token in the shared database file. */
  async function mintTokenThroughDatabase(): Promise<string> {
    const { createPlatform } = await import("@foundry-emulator/bootstrap");
    const { loadEnvironment } = await import("@foundry-emulator/config");
    const { mintAccessToken } = await import("../../../../../test/support/tokens");
    const platform = await createPlatform(loadEnvironment({ FOUNDRY_DB: join(directory, "data", "foundry.db"), FOUNDRY_PUBLIC_URL: `http://localhost:${port}`, FOUNDRY_SEED: "" }));
    try {
      return (await mintAccessToken(platform)).token;
    } finally {
      platform.database.$client.close();
    }
  }
});
