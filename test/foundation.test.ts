import { describe, expect, it } from "vitest";
import { startEmulator } from "./support/emulator";

describe("all-in-one emulator", () => {
  it("answers health once migrated and seeded", async () => {
    const emulator = await startEmulator();
    try {
      const response = await fetch(`${emulator.baseUrl}/_emulate/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok", service: "all" });
    } finally {
      await emulator.stop();
    }
  });
});
