import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/docker/**"],
    // Two cores: files run in parallel on forks; each file runs its own emulator on port 0.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
