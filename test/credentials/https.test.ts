import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startEmulatorProcess, type EmulatorProcess } from "../support/emulator";
import { rawRequest } from "../support/raw-request";

/** A request through Node's https client trusting only the given CA. */
const httpsRequest = (url: string, options: { ca: string; method?: string; headers?: Record<string, string>; body?: string }) => rawRequest(url, options);

describe("HTTPS listener (FOUNDRY_TLS_PORT)", () => {
  let emulator: EmulatorProcess;
  let tlsPort: number;
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "foundry-https-"));
    tlsPort = await freePort();
    emulator = await startEmulatorProcess({
      port: await freePort(),
      environment: { FOUNDRY_DB: join(directory, "foundry.db"), FOUNDRY_TLS_PORT: String(tlsPort), LOG_LEVEL: "silent" },
    });
  });
  afterAll(() => emulator.stop());

  it("serves the CA at /_emulate/ca.pem, and the whole API over TLS with a certificate that CA signed", async () => {
    const ca = await (await fetch(`${emulator.baseUrl}/_emulate/ca.pem`)).text();
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const token = await httpsRequest(`https://localhost:${tlsPort}/multipass/api/oauth2/token`, {
      ca,
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${Buffer.from("service-app:service-app-secret").toString("base64")}`,
      },
      body: "grant_type=client_credentials&scope=api%3Aadmin-read",
    });
    expect(token.status).toBe(200);
    const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
    const user = await httpsRequest(`https://127.0.0.1:${tlsPort}/api/v2/admin/users/getCurrent`, { ca, headers: { Authorization: `Bearer ${accessToken}` } });
    expect(user.status).toBe(200);
    expect(JSON.parse(user.body)).toMatchObject({ username: "service-app" });
  });

  it("is refused by a client that does not trust the CA", async () => {
    await expect(httpsRequest(`https://localhost:${tlsPort}/_emulate/health`, { ca: "" })).rejects.toThrow();
  });

  it("works with curl --cacert", async () => {
    const caPath = join(directory, "downloaded-ca.pem");
    writeFileSync(caPath, await (await fetch(`${emulator.baseUrl}/_emulate/ca.pem`)).text());
    const output = execFileSync("curl", ["-sS", "--cacert", caPath, `https://localhost:${tlsPort}/_emulate/health`], { encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ status: "ok", service: "all" });
    // Without the CA, curl refuses the certificate (exit code 60).
    expect(() => execFileSync("curl", ["-sS", "--capath", "/nonexistent", "--cacert", "/dev/null", `https://localhost:${tlsPort}/_emulate/health`], { stdio: "pipe" })).toThrow();
  });
});
