import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * `npm test`: the workerd project (functions/ and shared/, inside the Workers runtime) and the Node
 * project (stand-in conformance through the real clients, and end-to-end runs of the Worker under
 * wrangler's runtime). One globalSetup, in Node, starts the offline stack for both.
 */
export default defineConfig({
  root,
  test: {
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: inject("stack").bindings },
          })),
        ],
        test: { name: "workers", root, include: ["test/functions/**/*.test.ts", "test/shared/**/*.test.ts"] },
      },
      {
        test: {
          name: "node",
          root,
          include: ["test/local/**/*.test.ts", "test/e2e/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
