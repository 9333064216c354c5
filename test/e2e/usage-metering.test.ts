import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MockUpstream } from "../../local/mock-upstream/server";
import { SEED_MODELS, seedTenant } from "../../local/seed";
import { type Gateway, startIsolatedGateway } from "../helpers/node/gateway";
import { flushUntil } from "../helpers/node/usage";

let gw: Gateway & { mock: MockUpstream };
let tenant: Awaited<ReturnType<typeof seedTenant>>;
let client: OpenAI;

beforeAll(async () => {
  gw = await startIsolatedGateway();
  tenant = await seedTenant(inject("stack").databaseUrl, "metering test");
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: tenant.apiKey, maxRetries: 0 });
});
afterAll(() => gw?.stop());

type Served = { model: string; prompt: number; completion: number; cost: number };

/** The cost the seeded price table gives, rounded once like the gateway does. */
function expectedCost(model: string, prompt: number, completion: number): number {
  const m = SEED_MODELS.find((x) => x.name === model);
  if (!m) throw new Error(model);
  return Math.floor((prompt * m.input + completion * m.output + 500_000) / 1_000_000);
}

const CHAT_MODELS = ["mock-small", "mock-large", "gpt-4o-mini", "claude-haiku-4-5", "gemini-2.5-flash"];

async function json(model: string, i: number): Promise<Served> {
  const { data, response } = await client.chat.completions
    .create({ model, messages: [{ role: "user", content: `Question ${i} about ${model} [[words:${3 + i}]]` }] })
    .withResponse();
  const usage = data.usage ?? { prompt_tokens: -1, completion_tokens: -1 };
  const cost = Math.round(Number(response.headers.get("x-edgeway-cost-usd")) * 1_000_000);
  expect(cost).toBe(expectedCost(model, usage.prompt_tokens, usage.completion_tokens));
  return { model, prompt: usage.prompt_tokens, completion: usage.completion_tokens, cost };
}

async function stream(model: string, i: number): Promise<Served> {
  const chunks = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: `Stream ${i} for ${model} [[words:${2 + i}]]` }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of chunks) usage = chunk.usage ?? usage;
  if (!usage) throw new Error("no usage chunk");
  return {
    model,
    prompt: usage.prompt_tokens,
    completion: usage.completion_tokens,
    cost: expectedCost(model, usage.prompt_tokens, usage.completion_tokens),
  };
}

async function embedding(model: string): Promise<Served> {
  const { data, response } = await client.embeddings
    .create({ model, input: ["one text", "and another"], encoding_format: "float" })
    .withResponse();
  const cost = Math.round(Number(response.headers.get("x-edgeway-cost-usd")) * 1_000_000);
  return { model, prompt: data.usage.prompt_tokens, completion: 0, cost };
}

describe("usage metering", () => {
  it("reports totals equal to what the upstreams served, token for token and micro-dollar for micro-dollar", async () => {
    const served: Served[] = await Promise.all([
      ...CHAT_MODELS.flatMap((m) => [json(m, 1), json(m, 2), stream(m, 1), stream(m, 2)]),
      embedding("mock-small"),
      embedding("text-embedding-3-small"),
    ]);
    gw.mock.control.set({ failNext: 4, failureStatus: 500 }, "*");
    const failures = await Promise.all(
      [1, 2].map(() =>
        client.chat.completions.create({ model: "mock-small", messages: [{ role: "user", content: "fail" }] }).catch((e) => e.status),
      ),
    );
    expect(failures).toEqual([502, 502]);

    const requests = served.length + failures.length;
    const report = await flushUntil(gw.url, tenant.apiKey, requests, "?groupBy=model");
    const sum = (k: "prompt" | "completion" | "cost", list: Served[] = served) => list.reduce((s, x) => s + x[k], 0);
    expect(report.totals).toEqual({
      requests,
      promptTokens: sum("prompt"),
      completionTokens: sum("completion"),
      costMicroUsd: sum("cost"),
      costUsd: sum("cost") / 1_000_000,
      cacheHits: 0,
      savedMicroUsd: 0,
      savedUsd: 0,
      errors: 2,
    });
    for (const model of CHAT_MODELS) {
      const mine = served.filter((s) => s.model === model);
      const row = report.data.find((r) => r.group === model);
      expect(row).toMatchObject({
        promptTokens: sum("prompt", mine),
        completionTokens: sum("completion", mine),
        costMicroUsd: sum("cost", mine),
      });
    }
  });

  it("meters a stream the client left midway: the prompt and the text relayed so far, flagged estimated", async () => {
    const own = await seedTenant(inject("stack").databaseUrl, "abandoned stream tenant");
    const abandoning = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: own.apiKey, maxRetries: 0 });
    gw.mock.control.set({ interChunkMs: 100 }, "*");
    try {
      const chunks = await abandoning.chat.completions.create({
        model: "mock-small",
        messages: [{ role: "user", content: "Tell me a long story [[words:200]]" }],
        stream: true,
      });
      let relayed = "";
      for await (const chunk of chunks) {
        relayed += chunk.choices[0]?.delta.content ?? "";
        if (relayed.length > 0) break; // leaving the loop aborts the request (the SDK's own signal)
      }
      expect(relayed.length).toBeGreaterThan(0);
    } finally {
      gw.mock.control.reset();
    }
    const report = await flushUntil(gw.url, own.apiKey, 1);
    // a 200-word answer cut after its first chunk: the prompt and a few words, never the whole answer
    expect(report.totals.promptTokens).toBeGreaterThan(0);
    expect(report.totals.completionTokens).toBeGreaterThan(0);
    expect(report.totals.completionTokens).toBeLessThan(50);
    expect(report.totals.costMicroUsd).toBe(expectedCost("mock-small", report.totals.promptTokens, report.totals.completionTokens));
    expect(report.totals.costMicroUsd).toBeGreaterThan(0);
    const db = new pg.Client({ connectionString: inject("stack").databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query("select streamed, usage_estimated, status from usage_events where tenant_id = $1", [own.tenantId]);
      expect(rows).toEqual([{ streamed: true, usage_estimated: true, status: 200 }]);
    } finally {
      await db.end();
    }
  });

  it("shows a tenant only its own usage", async () => {
    const other = await seedTenant(inject("stack").databaseUrl, "other metering tenant");
    const res = await fetch(`${gw.url}/v1/usage`, { headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { totals: { requests: number } }).totals.requests).toBe(0);
  });

  it("rejects a malformed range with a 400 naming the field", async () => {
    const res = await fetch(`${gw.url}/v1/usage?from=2026-02-01&to=2026-01-01`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: "from: from must be before to", type: "invalid_request_error", param: "from", code: "invalid_request" },
    });
  });
});
