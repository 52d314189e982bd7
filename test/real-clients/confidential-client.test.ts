// The real @osdk/oauth confidential client (client_credentials) and the real platform SDK
// (@osdk/foundry.admin over @osdk/shared.client.impl) against a running emulator.
import { createConfidentialOauthClient } from "@osdk/oauth";
import { Users } from "@osdk/foundry.admin";
import { createSharedClientContext } from "@osdk/shared.client.impl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type TestEmulator } from "../support/emulator";

const userAgent = "foundry-emulator-real-client-tests/1.0";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the platform SDK throws for an error envelope (checked by class name: the class is a transitive dependency). */
interface ApiErrorShape {
  statusCode?: number;
  errorName?: string;
  errorCode?: string;
  errorInstanceId?: string;
  parameters?: Record<string, unknown>;
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error & ApiErrorShape> {
  try {
    await promise;
  } catch (error) {
    return error as Error & ApiErrorShape;
  }
  throw new Error("expected the call to be rejected, but it resolved");
}

describe("@osdk/oauth confidential client + @osdk/foundry.admin", () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("gets a client_credentials token and reads the service user with Users.getCurrent", async () => {
    const auth = createConfidentialOauthClient("service-app", "service-app-secret", emulator.baseUrl, ["api:admin-read"]);
    const token = await auth();
    expect(token).toEqual(expect.any(String));
    expect(token!.length).toBeGreaterThan(0);
    // The client caches the token until it expires.
    expect(await auth()).toBe(token);

    const client = createSharedClientContext(emulator.baseUrl, auth, userAgent);
    const user = await Users.getCurrent(client);
    expect(user.username).toBe("service-app");
    expect(user.id).toMatch(uuidPattern);
    expect(user).not.toHaveProperty("organization");
    expect(user.status).toBe("ACTIVE");
    expect(user.realm).toEqual(expect.any(String));
    expect(user.attributes).toEqual(expect.any(Object));

    // Stable identity: a second token for the same client is the same service principal.
    const again = await Users.getCurrent(
      createSharedClientContext(emulator.baseUrl, createConfidentialOauthClient("service-app", "service-app-secret", emulator.baseUrl, ["api:admin-read"]), userAgent),
    );
    expect(again.id).toBe(user.id);
  });

  it("answers a token without api:admin-read with 403 ApiUsageDenied naming the missing scope", async () => {
    const auth = createConfidentialOauthClient("service-app", "service-app-secret", emulator.baseUrl, ["api:read-data"]);
    const client = createSharedClientContext(emulator.baseUrl, auth, userAgent);
    const error = await rejectionOf(Users.getCurrent(client));
    expect(error.constructor.name).toBe("PalantirApiError");
    expect(error.statusCode).toBe(403);
    expect(error.errorName).toBe("ApiUsageDenied");
    expect(error.errorCode).toBe("PERMISSION_DENIED");
    expect(error.errorInstanceId).toMatch(uuidPattern);
    expect(error.parameters).toEqual({ missingScope: "api:admin-read" });
  });

  it("signOut revokes the access token: the same platform client then gets 401 Default:Unauthorized", async () => {
    const auth = createConfidentialOauthClient("service-app", "service-app-secret", emulator.baseUrl, ["api:admin-read"]);
    expect(typeof auth.signOut).toBe("function");
    const token = (await auth())!;
    // A token provider pinned to that one token, so the revoked token is what gets sent.
    const client = createSharedClientContext(emulator.baseUrl, async () => token, userAgent);
    expect((await Users.getCurrent(client)).username).toBe("service-app");

    await auth.signOut(); // POST revoke_token with HTTP Basic; oauth4webapi requires a 200.

    const error = await rejectionOf(Users.getCurrent(client));
    expect(error.constructor.name).toBe("PalantirApiError");
    expect(error.statusCode).toBe(401);
    expect(error.errorName).toBe("Default:Unauthorized");
    expect(error.errorCode).toBe("UNAUTHORIZED");

    // The confidential client signs in afresh after signOut, with a new, working token.
    const fresh = await auth();
    expect(fresh).not.toBe(token);
    const user = await Users.getCurrent(createSharedClientContext(emulator.baseUrl, auth, userAgent));
    expect(user.username).toBe("service-app");
  });

  it("rejects a wrong client secret with the client's own error", async () => {
    const auth = createConfidentialOauthClient("service-app", "not-the-secret", emulator.baseUrl, ["api:admin-read"]);
    await expect(auth()).rejects.toThrow("Failed to get token: invalid_client");
  });
});
