import { describe, expect, it } from "vitest";
import { openAIDuration } from "../../../shared/traffic/duration";
import { maxCompletionTokens, maxPromptTokens, worstCostMicroUsd } from "../../../shared/traffic/reserve";

describe("openAIDuration", () => {
  it.each([
    [0, "0ms"],
    [20, "20ms"],
    [999.2, "1s"],
    [1000, "1s"],
    [1500, "1.5s"],
    [59_999, "59.999s"],
    [360_000, "6m0s"],
    [3_723_000, "1h2m3s"],
  ])("%d ms → %s", (ms, text) => expect(openAIDuration(ms)).toBe(text));
});

describe("reservations", () => {
  it("bound prompt tokens from above by UTF-8 bytes plus framing", () => {
    const body = {
      model: "m",
      messages: [
        { role: "system" as const, content: "Be brief." },
        {
          role: "user" as const,
          content: [
            { type: "text" as const, text: "héllo" },
            { type: "image_url" as const, image_url: { url: "data:x" } },
          ],
        },
      ],
    };
    // 3 + (4 + 9) + (4 + 6 + 1600)
    expect(maxPromptTokens(body)).toBe(1626);
  });

  it("reserve the request's cap, else the default, for every choice", () => {
    expect(maxCompletionTokens({ model: "m", messages: [], max_tokens: 50, n: 3 }, 1024)).toBe(150);
    expect(maxCompletionTokens({ model: "m", messages: [], max_completion_tokens: 70 }, 1024)).toBe(70);
    expect(maxCompletionTokens({ model: "m", messages: [] }, 1024)).toBe(1024);
  });

  it("price the worst case at the dearest class, rounded up", () => {
    const price = {
      id: 1,
      provider: "p",
      model: "m",
      effectiveFrom: new Date(0),
      inputMicroUsdPerMTok: 1_000_000,
      outputMicroUsdPerMTok: 5_000_000,
      cachedInputMicroUsdPerMTok: 100_000,
      cacheWriteMicroUsdPerMTok: 1_250_000,
      reasoningMicroUsdPerMTok: null,
      createdAt: new Date(0),
    };
    expect(worstCostMicroUsd(1001, 10, price)).toBe(Math.ceil((1001 * 1_250_000 + 10 * 5_000_000) / 1e6));
    expect(worstCostMicroUsd(1001, 10, null)).toBe(0);
  });
});
