import { describe, expect, it } from "vitest";
import { formatUsd } from "../../../shared/metering/cost";
import { admin, expectJson, newKey, newTenant, nonce, pollUntil } from "../../helpers/workers/admin";
import { gateway, stack } from "../../helpers/workers/gateway";

type Completion = { usage: { prompt_tokens: number; completion_tokens: number } };

const ask = (model: string, key = stack().apiKey) =>
  gateway("/v1/chat/completions", {
    method: "POST",
    key,
    json: { model, max_tokens: 16, messages: [{ role: "user", content: `hi ${nonce()}` }] },
  });

/**
 * A validated registry model whose one deployment (on the mock's eu-west) has these own rates, µ$
 * per 1M tokens; `key` makes the requests that wait for the Worker to serve it.
 */
async function pricedModel(
  rates: { inputMicroUsdPerMTok?: number; outputMicroUsdPerMTok?: number },
  key = stack().apiKey,
): Promise<string> {
  const model = `priced-${nonce()}`;
  const deployment = await expectJson<{ id: string }>(
    await admin("/admin/deployments", {
      method: "POST",
      json: {
        id: `dep-${nonce()}`,
        provider: "mock",
        upstreamModel: `mock-${nonce()}`,
        region: "eu-west",
        baseUrl: `${stack().urls.mockUpstream}/d/eu-west/v1`,
        ...rates,
      },
    }),
    201,
  );
  await expectJson(
    await admin(`/admin/models/${model}/versions`, {
      method: "POST",
      json: { version: "1.0.0", targets: [{ deploymentId: deployment.id }] },
    }),
    201,
  );
  await expectJson(await admin(`/admin/models/${model}/versions/1.0.0/validate`, { method: "POST" }), 200);
  // The Worker's registry is cached per isolate for a few seconds: wait until it serves the model.
  await pollUntil(async () => (await ask(`${model}@1.0.0`, key)).status !== 404, 10_000, 200);
  return `${model}@1.0.0`;
}

describe("a deployment's own prices", () => {
  it("bill what it answers (x-edgeway-cost-usd), where the list has no price for its upstream model", async () => {
    const res = await ask(await pricedModel({ inputMicroUsdPerMTok: 2_000_000, outputMicroUsdPerMTok: 4_000_000 }));
    const { usage } = await expectJson<Completion>(res, 200);
    const expected = Math.floor((usage.prompt_tokens * 2_000_000 + usage.completion_tokens * 4_000_000 + 500_000) / 1_000_000);
    expect(expected).toBeGreaterThan(0);
    expect(res.headers.get("x-edgeway-cost-usd")).toBe(formatUsd(expected));
  });

  it("leave a deployment without rates of its own at the list price (none here: 0)", async () => {
    const res = await ask(await pricedModel({}));
    await expectJson<Completion>(res, 200);
    expect(res.headers.get("x-edgeway-cost-usd")).toBe("0.000000");
  });

  it("reserve their worst case in the tenant's budget escrow before the call", async () => {
    const keyOf = async (body: Record<string, unknown>) => (await newKey((await newTenant(body)).id)).key;
    const [budgeted, unlimited] = [await keyOf({ budget: { monthlyUsd: 1 } }), await keyOf({})];
    // $1M per 1M output tokens: 16 tokens' worst case is $16, over the $1 budget (the list has no
    // price here). The budgeted tenant's first request is refused before any spend.
    const model = await pricedModel({ inputMicroUsdPerMTok: 0, outputMicroUsdPerMTok: 1_000_000_000_000 }, unlimited);
    const res = await ask(model, budgeted);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
  });
});
