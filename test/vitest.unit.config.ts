import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * Pure workerd tests without the offline stack (fast loop while developing one module):
 * `npx vitest run --config test/vitest.unit.config.ts test/shared/providers/anthropic`.
 * `npm test` runs these files too, under test/vitest.config.ts.
 */
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
  test: { include: ["test/shared/**/*.test.ts"] },
});
