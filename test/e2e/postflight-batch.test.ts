import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantWithKey } from "../helpers/node/admin";
import { startCountedGateway } from "../helpers/node/gateway";
import { flushUntil } from "../helpers/node/usage";

let gw: Awaited<ReturnType<typeof startCountedGateway>>;

beforeAll(async () => {
  gw = await startCountedGateway();
});
afterAll(() => gw?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the Redis stand-in's counters stop moving for 300 ms (postflights finishing). */
async function settledStats() {
  let last = JSON.stringify(gw.redisRest.stats());
  for (let i = 0; i < 50; i++) {
    await sleep(300);
    const now = JSON.stringify(gw.redisRest.stats());
    if (now === last) return gw.redisRest.stats();
    last = now;
  }
  throw new Error("Redis traffic never settled");
}

describe("postflight batching", () => {
  it("settles concurrent requests in shared pipelines, and meters every one of them exactly once", async () => {
    const { apiKey } = await tenantWithKey(gw.url, { budget: { monthlyUsd: 100 } });
    const ask = (text: string) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "mock-small", messages: [{ role: "user", content: text }] }),
      });
    const costOf = async (r: Response) => {
      await r.json();
      return Math.round(Number(r.headers.get("x-edgeway-cost-usd")) * 1_000_000);
    };
    const warm = await ask(`warm ${crypto.randomUUID()}`);
    expect(warm.status).toBe(200);
    const warmCost = await costOf(warm);
    // The warm-up's postflight lands within its 4 ms window; the key record it read stays in the
    // isolate for 1 s, so the 48 requests below read no key from Redis.
    await sleep(100);
    const before = gw.redisRest.stats();

    // Every answer arrives after 200 ms, so the 48 postflights start within a few ms of each other.
    gw.mock.control.set({ latencyMs: 200 });
    const responses = await Promise.all(Array.from({ length: 48 }, (_, i) => ask(`batch ${i} ${crypto.randomUUID()}`)));
    gw.mock.control.set({ latencyMs: 0 });
    expect(responses.map((r) => r.status)).toEqual(Array(48).fill(200));
    const costs = await Promise.all(responses.map(costOf));

    const after = await settledStats();
    const roundTrips = (after.requests ?? 0) - (before.requests ?? 0);
    const pipelines = (after.pipelines ?? 0) - (before.pipelines ?? 0);
    // One preflight each; the postflights share pipelines (or ride along a late preflight): fewer
    // than the 48 more round trips they would take one by one (59-68 in all seen here, 96 without).
    expect(pipelines).toBeGreaterThanOrEqual(1);
    expect(roundTrips).toBeGreaterThanOrEqual(49);
    expect(roundTrips).toBeLessThanOrEqual(48 + 40);

    const report = await flushUntil(gw.url, apiKey, 49);
    const billed = costs.reduce((s, c) => s + c, warmCost);
    expect(billed).toBeGreaterThan(0);
    expect(report.totals?.costMicroUsd).toBe(billed);
  });
});
