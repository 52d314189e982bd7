import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../../../../../test/support/emulator";
import { basicAuthorization, getCurrent, obtainCode, postForm, revokeUrl, serviceToken, tokenUrl } from "../../../../../test/support/oauth";

describe("POST /multipass/api/oauth2/revoke_token", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  const service = { Authorization: basicAuthorization("service-app", "service-app-secret") };
  const confidential = { Authorization: basicAuthorization("confidential-app", "confidential-app-secret") };

  async function userTokens() {
    const { code, verifier } = await obtainCode(emulator.baseUrl, {
      clientId: "confidential-app",
      redirectUri: "http://localhost:3000/auth/callback",
      scope: "api:admin-read offline_access",
    });
    const response = await postForm(
      tokenUrl(emulator.baseUrl),
      { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "http://localhost:3000/auth/callback" },
      confidential,
    );
    return response.json as { access_token: string; refresh_token: string };
  }

  it("revokes an access token: 200, then getCurrent answers 401", async () => {
    const token = await serviceToken(emulator.baseUrl);
    const response = await postForm(revokeUrl(emulator.baseUrl), { token }, service);
    expect(response.status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(401);
  });

  it("answers 200 for an unknown token (RFC 7009)", async () => {
    expect((await postForm(revokeUrl(emulator.baseUrl), { token: "never-issued" }, service)).status).toBe(200);
    expect((await postForm(revokeUrl(emulator.baseUrl), { token: "a.b.c", token_type_hint: "access_token" }, service)).status).toBe(200);
  });

  it("revokes a refresh token's whole grant, its access tokens included", async () => {
    const tokens = await userTokens();
    expect((await postForm(revokeUrl(emulator.baseUrl), { token: tokens.refresh_token, token_type_hint: "refresh_token" }, confidential)).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, tokens.access_token)).status).toBe(401);
    const refresh = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, confidential);
    expect(refresh.json.error).toBe("invalid_grant");
  });

  it("leaves another client's token alone, still answering 200", async () => {
    const tokens = await userTokens();
    expect((await postForm(revokeUrl(emulator.baseUrl), { token: tokens.access_token }, service)).status).toBe(200);
    expect((await postForm(revokeUrl(emulator.baseUrl), { token: tokens.refresh_token }, service)).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, tokens.access_token)).status).toBe(200);
  });

  it("authenticates the client and requires the token parameter", async () => {
    const token = await serviceToken(emulator.baseUrl);
    const badClient = await postForm(revokeUrl(emulator.baseUrl), { token }, { Authorization: basicAuthorization("service-app", "wrong") });
    expect(badClient.status).toBe(401);
    expect(badClient.json.error).toBe("invalid_client");
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(200);
    const missing = await postForm(revokeUrl(emulator.baseUrl), {}, service);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe("invalid_request");
  });

  it("accepts a public client identified by client_id in the body", async () => {
    const { code, verifier } = await obtainCode(emulator.baseUrl, { clientId: "public-app", scope: "api:admin-read" });
    const tokens = await postForm(tokenUrl(emulator.baseUrl), { grant_type: "authorization_code", code, code_verifier: verifier, client_id: "public-app" });
    const token = tokens.json.access_token as string;
    expect((await postForm(revokeUrl(emulator.baseUrl), { token, client_id: "public-app" })).status).toBe(200);
    expect((await getCurrent(emulator.baseUrl, token)).status).toBe(401);
  });
});
