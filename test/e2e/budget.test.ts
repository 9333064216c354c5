import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { budgetKey } from "../../shared/traffic/policy";
import { tenantWithKey } from "../helpers/node/admin";
import { type Gateway, startIsolatedGateway } from "../helpers/node/gateway";
import { flushUntil } from "../helpers/node/usage";

const stack = inject("stack");
let gw: Gateway;
const redis = new IORedis(stack.redisUrl, { lazyConnect: true });

beforeAll(async () => {
  gw = await startIsolatedGateway();
  await redis.connect();
});
afterAll(async () => {
  await gw?.stop();
  redis.disconnect();
});

const spend = (apiKey: string) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "mock-large", max_tokens: 40, messages: [{ role: "user", content: "Spend a little [[words:20]]" }] }),
  });

describe("monthly budget", () => {
  it("never overshoots by more than one request's worst case under concurrency, and settles to the usage table's cost", async () => {
    const budgetMicroUsd = 3000;
    const { apiKey, tenantId } = await tenantWithKey(gw.url, { budget: { monthlyUsd: budgetMicroUsd / 1e6 } });
    // Worst case of one request: prompt bound (UTF-8 bytes + framing) × $2.50/MTok + 40 × $10/MTok.
    const promptBound = 3 + 4 + new TextEncoder().encode("Spend a little [[words:20]]").length;
    const worst = Math.ceil((promptBound * 2_500_000 + 40 * 10_000_000) / 1e6);

    const burst = await Promise.all(Array.from({ length: 30 }, () => spend(apiKey)));
    const statuses = [...burst.map((r) => r.status)];
    for (let i = 0; i < 20; i++) statuses.push((await spend(apiKey)).status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const refused = burst.find((r) => r.status === 429) as Response;
    expect(await refused.json()).toEqual({
      error: {
        message: "Monthly budget of $0.003 reached for this tenant. It resets at the start of the next month (UTC).",
        type: "rate_limit_error",
        param: null,
        code: "budget_exceeded",
      },
    });

    const report = await flushUntil(gw.url, apiKey, statuses.length);
    const costs = report.totals.costMicroUsd;
    expect(report.totals.requests - report.totals.errors).toBe(statuses.filter((s) => s === 200).length);
    expect(costs).toBeGreaterThan(budgetMicroUsd - worst);
    expect(costs).toBeLessThanOrEqual(budgetMicroUsd + worst);
    // Every reservation settled: the escrow counter equals what the usage table billed.
    expect(Number(await redis.get(budgetKey(stack.bindings.REDIS_KEY_PREFIX as string, tenantId, Date.now())))).toBe(costs);
  });

  it("rebuilds a lost budget counter from the usage table", async () => {
    const { apiKey, tenantId } = await tenantWithKey(gw.url, { budget: { monthlyUsd: 1 } });
    expect((await spend(apiKey)).status).toBe(200);
    const first = await flushUntil(gw.url, apiKey, 1);
    const key = budgetKey(stack.bindings.REDIS_KEY_PREFIX as string, tenantId, Date.now());
    await redis.del(key);
    expect((await spend(apiKey)).status).toBe(200);
    const second = await flushUntil(gw.url, apiKey, 2);
    expect(Number(await redis.get(key))).toBe(second.totals.costMicroUsd);
    expect(second.totals.costMicroUsd).toBeGreaterThan(first.totals.costMicroUsd);
  });
});
