import { defineConfig } from "vitest/config";

/** Node-side tests: the stand-ins' conformance suites and end-to-end runs through the real clients. */
export default defineConfig({
  test: {
    include: ["test/local/**/*.test.ts", "test/e2e/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
