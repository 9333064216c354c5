import { inject } from "vitest";
import { unstable_dev } from "wrangler";
import { type MockUpstream, startMockUpstream } from "../../../local/mock-upstream/server";
import { mockedProviderBindings } from "../../../local/stack";

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
  const gateway = await startGateway({ MOCK_BASE_URL: `${mock.url}/v1`, ...mockedProviderBindings(mock.url), ...vars });
  return {
    ...gateway,
    mock,
    stop: async () => {
      await gateway.stop();
      await mock.close();
    },
  };
}
