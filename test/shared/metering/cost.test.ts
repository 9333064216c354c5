import { describe, expect, it } from "vitest";
import type { ModelPrice } from "../../../schema";
import { costMicroUsd, formatUsd } from "../../../shared/metering/cost";
import { withOwnRates } from "../../../shared/metering/prices";

const price = (p: Partial<ModelPrice> = {}): ModelPrice => ({
  id: 1,
  provider: "openai",
  model: "gpt-4o-mini",
  effectiveFrom: new Date(0),
  inputMicroUsdPerMTok: 150_000,
  outputMicroUsdPerMTok: 600_000,
  cachedInputMicroUsdPerMTok: null,
  cacheWriteMicroUsdPerMTok: null,
  reasoningMicroUsdPerMTok: null,
  createdAt: new Date(0),
  ...p,
});

describe("costMicroUsd", () => {
  it("prices prompt and completion tokens exactly", () => {
    // 1000 × 0.15 + 500 × 0.60 = 150 + 300 µ$
    expect(costMicroUsd({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }, price())).toBe(450);
  });

  it("rounds half up once, on the exact total", () => {
    // 7 × 0.15 + 10 × 0.60 = 1.05 + 6 = 7.05 → 7; 3 × 0.15 + 1 × 0.6 = 1.05 → 1; 10 × 0.15 = 1.5 → 2
    expect(costMicroUsd({ prompt_tokens: 7, completion_tokens: 10, total_tokens: 17 }, price())).toBe(7);
    expect(costMicroUsd({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }, price())).toBe(1);
    expect(costMicroUsd({ prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 }, price())).toBe(2);
  });

  it("prices cached prompt tokens at the cached price and never twice", () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 0, total_tokens: 1000, prompt_tokens_details: { cached_tokens: 400 } };
    // 600 × 0.15 + 400 × 0.075 = 90 + 30
    expect(costMicroUsd(usage, price({ cachedInputMicroUsdPerMTok: 75_000 }))).toBe(120);
    // without a cached price, cached tokens cost the input price: still counted once
    expect(costMicroUsd(usage, price())).toBe(150);
  });

  it("prices cache writes and reasoning tokens at their own prices", () => {
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 1000,
      total_tokens: 2000,
      prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 200 },
      completion_tokens_details: { reasoning_tokens: 300 },
    };
    const p = price({
      inputMicroUsdPerMTok: 1_000_000,
      cachedInputMicroUsdPerMTok: 100_000,
      cacheWriteMicroUsdPerMTok: 1_250_000,
      outputMicroUsdPerMTok: 5_000_000,
      reasoningMicroUsdPerMTok: 10_000_000,
    });
    // 700 × 1 + 100 × 0.1 + 200 × 1.25 + 700 × 5 + 300 × 10 = 700 + 10 + 250 + 3500 + 3000
    expect(costMicroUsd(usage, p)).toBe(7460);
  });

  it("formats micro-USD as dollars with six decimals", () => {
    expect(formatUsd(0)).toBe("0.000000");
    expect(formatUsd(7460)).toBe("0.007460");
    expect(formatUsd(12_345_678)).toBe("12.345678");
  });
});

describe("withOwnRates (a deployment's own prices)", () => {
  const usage = {
    prompt_tokens: 1000,
    completion_tokens: 500,
    total_tokens: 1500,
    prompt_tokens_details: { cached_tokens: 400 },
    completion_tokens_details: { reasoning_tokens: 100 },
  };
  const list = price({ cachedInputMicroUsdPerMTok: 75_000, reasoningMicroUsdPerMTok: 900_000 });

  it("is the list price when the deployment has no rate of its own", () => {
    expect(withOwnRates(list, undefined)).toBe(list);
    expect(withOwnRates(list, { inputMicroUsdPerMTok: null, outputMicroUsdPerMTok: null })).toBe(list);
    expect(withOwnRates(null, undefined)).toBeNull();
  });

  it("replaces the list's input and output rates and prices every token class at them", () => {
    const own = withOwnRates(list, { inputMicroUsdPerMTok: 100_000, outputMicroUsdPerMTok: 200_000 });
    expect(own).toEqual({
      inputMicroUsdPerMTok: 100_000,
      outputMicroUsdPerMTok: 200_000,
      cachedInputMicroUsdPerMTok: null,
      cacheWriteMicroUsdPerMTok: null,
      reasoningMicroUsdPerMTok: null,
    });
    // 1000 × 0.10 + 500 × 0.20 = 100 + 100 (the list: 90 + 30 + 240 + 90 = 450)
    expect(costMicroUsd(usage, own as NonNullable<typeof own>)).toBe(200);
    expect(costMicroUsd(usage, list)).toBe(450);
  });

  it("takes a rate the deployment leaves unset from the list, else 0", () => {
    expect(withOwnRates(list, { inputMicroUsdPerMTok: null, outputMicroUsdPerMTok: 200_000 })).toMatchObject({
      inputMicroUsdPerMTok: 150_000,
      outputMicroUsdPerMTok: 200_000,
    });
    expect(withOwnRates(null, { inputMicroUsdPerMTok: 100_000, outputMicroUsdPerMTok: null })).toMatchObject({
      inputMicroUsdPerMTok: 100_000,
      outputMicroUsdPerMTok: 0,
    });
  });
});
