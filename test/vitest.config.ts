import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const globalSetup = ["test/global-setup.ts"];

/**
 * `npm test`: the workerd project (functions/ and shared/, inside the Workers runtime) and the Node
 * project (stand-in conformance through the real clients, and end-to-end runs of the Worker under
 * wrangler's runtime). One globalSetup starts the offline stack for both.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: inject("stack").bindings },
          })),
        ],
        test: { name: "workers", include: ["test/functions/**/*.test.ts", "test/shared/**/*.test.ts"], globalSetup },
      },
      {
        test: {
          name: "node",
          include: ["test/local/**/*.test.ts", "test/e2e/**/*.test.ts"],
          globalSetup,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
