import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { unstable_dev } from "wrangler";
import { type MockUpstream, startMockUpstream } from "../../../local/mock-upstream/server";
import { startRedisRest } from "../../../local/redis-rest/server";
import { mockedProviderBindings } from "../../../local/stack";
import { startVectorRest } from "../../../local/vector/server";

export type Gateway = { url: string; stop(): Promise<void> };

/**
 * The Worker under wrangler's runtime (wrangler.toml, the real bundle) with the stack's bindings
 * plus `vars`, on an ephemeral loopback port.
 * @example const gw = await startGateway({ MOCK_BASE_URL: `${mock.url}/v1` });
 */
export async function startGateway(vars: Record<string, string> = {}): Promise<Gateway> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const worker = await unstable_dev("functions/index.ts", {
    config: "wrangler.toml",
    ip: "127.0.0.1",
    port: 0,
    local: true,
    logLevel: "error",
    vars: { ...inject("stack").bindings, ...vars },
    experimental: { disableExperimentalWarning: true, testScheduled: true },
  });
  return { url: `http://${worker.address}:${worker.port}`, stop: () => worker.stop() };
}

/**
 * A gateway whose every provider (mock, openai, anthropic, gemini) answers from a mock upstream of
 * its own, so fault injection in one test file cannot touch another's traffic. Redis, Postgres and
 * Vector are the run's shared stand-ins.
 */
export async function startIsolatedGateway(vars: Record<string, string> = {}): Promise<Gateway & { mock: MockUpstream }> {
  const mock = await startMockUpstream({ port: 0 });
  const gateway = await startGateway({ MOCK_BASE_URL: `${mock.url}/v1`, MOCK_URL: mock.url, ...mockedProviderBindings(mock.url), ...vars });
  return {
    ...gateway,
    mock,
    stop: async () => {
      await gateway.stop();
      await mock.close();
    },
  };
}

/**
 * An isolated gateway that also has Redis REST and Vector stand-ins of its own (same Redis server,
 * fresh Vector index), so a test can count exactly the round trips its requests cause.
 */
export async function startCountedGateway(vars: Record<string, string> = {}) {
  const stack = inject("stack");
  const dir = mkdtempSync(join(tmpdir(), "edgeway-counted-"));
  const redisRest = await startRedisRest({ redisUrl: stack.redisUrl, token: "counted-token", port: 0 });
  const vector = await startVectorRest({ token: "counted-vector", dataDir: dir, port: 0 });
  const gateway = await startIsolatedGateway({
    UPSTASH_REDIS_REST_URL: redisRest.url,
    UPSTASH_REDIS_REST_TOKEN: "counted-token",
    UPSTASH_VECTOR_REST_URL: vector.url,
    UPSTASH_VECTOR_REST_TOKEN: "counted-vector",
    ...vars,
  });
  return {
    ...gateway,
    redisRest,
    vector,
    stop: async () => {
      await gateway.stop();
      await redisRest.close();
      await vector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
