import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, startWorkerd, type Workerd } from "../../bench/workerd";
import { startMockUpstream } from "../../local/mock-upstream/server";
import { type FoundRedis, findRedis } from "../../local/redis-rest/find-redis";
import { startRedisRest } from "../../local/redis-rest/server";
import type { StandIn } from "../../local/stand-in";

// The bench's stack floor (bench/stack-floor.ts) in raw workerd against the Redis REST stand-in and
// the mock upstream: it must do the stack's part of the hot path for real, or its ratios mean nothing.
describe("the stack floor", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeway-stack-floor-"));
  const prefix = `test:stack-floor:${randomUUID().slice(0, 8)}`;
  const token = randomBytes(16).toString("hex");
  let found: FoundRedis;
  let rest: StandIn;
  let mock: Awaited<ReturnType<typeof startMockUpstream>>;
  let worker: Workerd;

  beforeAll(async () => {
    found = await findRedis();
    rest = await startRedisRest({ redisUrl: found.url, token, port: 0 });
    mock = await startMockUpstream({ seed: 1 });
    await bundleWorker(fileURLToPath(new URL("../../bench/stack-floor.ts", import.meta.url)), dir, "stack-floor.js");
    worker = await startWorkerd({
      name: "stack-floor",
      dir,
      config: {
        modules: ["stack-floor.js"],
        compatibilityDate: "2026-04-26",
        compatibilityFlags: ["nodejs_compat"],
        bindings: {
          UPSTREAM: mock.url,
          UPSTREAM_KEY: "mock-key",
          UPSTASH_REDIS_REST_URL: rest.url,
          UPSTASH_REDIS_REST_TOKEN: token,
          REDIS_KEY: prefix,
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await mock?.close();
    await rest?.close();
    await found?.spawned?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (stream: boolean) =>
    fetch(`${worker.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer client-key" },
      body: JSON.stringify({ model: "mock-small", messages: [{ role: "user", content: "hello" }], stream }),
    });

  it("makes one Upstash script call and one upstream call per request, and answers with the upstream's completion", async () => {
    await (await ask(false)).text(); // the first loads the script into Redis (EVALSHA, then EVAL on NOSCRIPT)
    rest.resetStats();
    mock.resetStats();
    const res = await ask(false);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; choices: Array<{ message: { role: string } }>; usage: { total_tokens: number } };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.role).toBe("assistant");
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    expect(rest.stats()).toMatchObject({ requests: 1, commands: 1 });
    expect(mock.stats()).toMatchObject({ requests: 1 });
  });

  it("passes a stream through to its end", async () => {
    const res = await ask(true);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/^data: \{/);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });
});
