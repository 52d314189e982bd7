import { describe, expect, it } from "vitest";
import { forwardedBaseUrl, forwardedPrefix } from "./public-url";

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe("X-Forwarded-* base URL", () => {
  it("is undefined without X-Forwarded-Host", () => {
    expect(forwardedBaseUrl(headers({ "X-Forwarded-Proto": "https" }))).toBeUndefined();
  });

  it("builds scheme, host, port and prefix", () => {
    expect(forwardedBaseUrl(headers({ "X-Forwarded-Host": "gateway", "X-Forwarded-Port": "8080", "X-Forwarded-Proto": "http" }))).toBe("http://gateway:8080");
    expect(forwardedBaseUrl(headers({ "X-Forwarded-Host": "foundry.test", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/emulator/" }))).toBe(
      "https://foundry.test/emulator",
    );
    expect(forwardedBaseUrl(headers({ "X-Forwarded-Host": "localhost:8080, proxy:80" }))).toBe("http://localhost:8080");
  });

  it("ignores values that would inject into a URL", () => {
    expect(forwardedBaseUrl(headers({ "X-Forwarded-Host": "evil.test/path?x" }))).toBeUndefined();
    expect(forwardedBaseUrl(headers({ "X-Forwarded-Host": "a@b" }))).toBeUndefined();
    expect(forwardedPrefix(headers({ "X-Forwarded-Prefix": "//evil.test" }))).toBe("");
    expect(forwardedPrefix(headers({ "X-Forwarded-Prefix": "/ok/<script>" }))).toBe("");
  });
});
