import { defineConfig } from "vitest/config";

// `npm run test:docker`: the tests that need a Docker engine (image, compose stack, testcontainers
// module). One file at a time: each starts containers, and the machines have two cores.
export default defineConfig({
  test: {
    include: ["test/docker/**/*.test.ts"],
    globalSetup: ["test/docker/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
