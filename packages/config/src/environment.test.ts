import { describe, expect, it } from "vitest";
import { ConfigurationError, loadEnvironment } from "./environment";

describe("environment", () => {
  it("has defaults for every variable", () => {
    expect(loadEnvironment({})).toMatchObject({
      PORT: 8080,
      FOUNDRY_DB: "./data/foundry.db",
      FOUNDRY_SEED: "./seeds/default.yaml",
      FOUNDRY_PUBLIC_URL: "http://localhost:8080",
      FOUNDRY_ACCESS_TOKEN_TTL: 3600,
      LOG_LEVEL: "info",
    });
  });

  it("accepts :memory:, an empty seed, and trims a trailing slash from the public URL", () => {
    expect(loadEnvironment({ FOUNDRY_DB: ":memory:", FOUNDRY_SEED: "", FOUNDRY_PUBLIC_URL: "https://foundry.test:8443/" })).toMatchObject({
      FOUNDRY_DB: ":memory:",
      FOUNDRY_SEED: "",
      FOUNDRY_PUBLIC_URL: "https://foundry.test:8443",
    });
  });

  it("names every bad variable", () => {
    let error: unknown;
    try {
      loadEnvironment({ PORT: "http", FOUNDRY_ACCESS_TOKEN_TTL: "-5", FOUNDRY_PUBLIC_URL: "localhost", LOG_LEVEL: "loud" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ["PORT", "FOUNDRY_ACCESS_TOKEN_TTL", "FOUNDRY_PUBLIC_URL", "LOG_LEVEL"]) expect(message).toContain(name);
  });
});
