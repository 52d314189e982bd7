import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "./support/emulator";
import { createPkcePair } from "./support/oauth";

describe("URLs handed out behind a proxy (X-Forwarded-*)", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it("builds runtime URIs from the forwarded host, else from FOUNDRY_PUBLIC_URL", async () => {
    const open = (headers: Record<string, string>) =>
      fetch(`${emulator.baseUrl}/_emulate/foundry/compute-modules/runtimes`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ runtimeId: "forwarded" }),
      }).then((response) => response.json() as Promise<{ getJobUri: string; environment: Record<string, string> }>);
    const direct = await open({});
    expect(direct.getJobUri).toBe("http://localhost:8080/_emulate/foundry/compute-modules/runtimes/forwarded/job");
    const proxied = await open({ "X-Forwarded-Host": "gateway", "X-Forwarded-Port": "8080", "X-Forwarded-Proto": "http" });
    expect(proxied.getJobUri).toBe("http://gateway:8080/_emulate/foundry/compute-modules/runtimes/forwarded/job");
    expect(proxied.environment).toMatchObject({ RUNTIME_HOST: "gateway", RUNTIME_PORT: "8080" });
  });

  it("posts the picker back through the forwarded path prefix", async () => {
    const { challenge } = createPkcePair();
    const response = await fetch(
      `${emulator.baseUrl}/multipass/api/oauth2/authorize?client_id=public-app&response_type=code&code_challenge=${challenge}&code_challenge_method=S256`,
      { headers: { "X-Forwarded-Prefix": "/foundry" } },
    );
    expect(await response.text()).toContain('action="/foundry/multipass/api/oauth2/authorize/callback"');
  });
});
