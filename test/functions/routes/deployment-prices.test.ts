import { describe, expect, it } from "vitest";
import { formatUsd } from "../../../shared/metering/cost";
import { admin, expectJson, nonce, pollUntil } from "../../helpers/workers/admin";
import { gateway, stack } from "../../helpers/workers/gateway";

type Completion = { usage: { prompt_tokens: number; completion_tokens: number } };

const ask = (model: string) =>
  gateway("/v1/chat/completions", {
    method: "POST",
    key: stack().apiKey,
    json: { model, messages: [{ role: "user", content: `hi ${nonce()}` }] },
  });

/** A validated registry model whose one deployment (on the mock's eu-west) has these own rates, µ$ per 1M tokens. */
async function pricedModel(rates: { inputMicroUsdPerMTok?: number; outputMicroUsdPerMTok?: number }): Promise<string> {
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
  await pollUntil(async () => (await ask(`${model}@1.0.0`)).status !== 404, 10_000, 200);
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
});
