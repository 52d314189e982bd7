import { describe, expect, it } from "vitest";
import { base64ToUuid, timeOrderedUuid, uuidToBase64 } from "./uuid-encoding";

describe("timeOrderedUuid", () => {
  it("is an RFC 9562 version-7 UUID carrying the time in its first 48 bits", () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
    const id = timeOrderedUuid(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(now);
    expect(base64ToUuid(uuidToBase64(id))).toBe(id);
  });

  it("sorts by time, and differs within one millisecond", () => {
    const ids = [1, 2, 3, 1_000, 1_000_000_000_000, 1_900_000_000_000].map((time) => timeOrderedUuid(time));
    expect([...ids].sort()).toEqual(ids);
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(42)));
    expect(sameMillisecond.size).toBe(1000);
  });
});
