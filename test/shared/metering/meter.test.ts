import { describe, expect, inject, it } from "vitest";
import type { StreamOutcome } from "../../../shared/chat/relay-stream";
import { parseEnv } from "../../../shared/config/env";
import { estimateTokens } from "../../../shared/metering/estimate";
import { type MeterDraft, settle } from "../../../shared/metering/meter";
import { createDb } from "../../../shared/storage/postgres/db";

const db = createDb(parseEnv(inject("stack").bindings));

// a deployment's own rates: $1 per 1M prompt tokens, $2 per 1M completion tokens (no list price needed)
const servedBy = {
  provider: "meter-test",
  upstreamModel: "meter-test-model",
  ownRates: { inputMicroUsdPerMTok: 1_000_000, outputMicroUsdPerMTok: 2_000_000 },
};
const prompt = "Tell me a long story about the sea, the ships on it and the people who sail them.";

const streamed = (outcome: StreamOutcome): MeterDraft => ({
  requestId: `req_${crypto.randomUUID()}`,
  endpoint: "chat",
  startedAt: new Date(),
  t0: 0,
  servedBy,
  streamed: true,
  outcome: Promise.resolve(outcome),
  promptText: () => prompt,
});
const finish = { tenantId: crypto.randomUUID(), keyId: crypto.randomUUID(), status: 200, now: 5 };

describe("settling a streamed response", () => {
  it("meters a stream the client left midway at the prompt and the text it received, flagged estimated", async () => {
    const received = "Once upon a time, far out at sea";
    const event = await settle(db, streamed({ cancelled: true, completionText: received }), finish);
    const promptTokens = estimateTokens(prompt);
    const completionTokens = estimateTokens(received);
    expect(event).toMatchObject({
      streamed: true,
      promptTokens,
      completionTokens,
      usageEstimated: true,
      costMicroUsd: Math.floor((promptTokens * 1_000_000 + completionTokens * 2_000_000 + 500_000) / 1_000_000),
      priceId: null,
      status: 200,
    });
    expect(event.costMicroUsd).toBeGreaterThan(0);
  });

  it("uses the upstream's usage when it came, cancelled or not", async () => {
    const usage = { prompt_tokens: 40, completion_tokens: 7, total_tokens: 47 };
    const event = await settle(db, streamed({ cancelled: true, completionText: "x", usage }), finish);
    expect(event).toMatchObject({ promptTokens: 40, completionTokens: 7, usageEstimated: false, costMicroUsd: 54 });
  });
});
