import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, tenantWithKey } from "../helpers/node/admin";
import { startCountedGateway } from "../helpers/node/gateway";
import { flushUntil } from "../helpers/node/usage";

let gw: Awaited<ReturnType<typeof startCountedGateway>>;

beforeAll(async () => {
  gw = await startCountedGateway();
});
afterAll(() => gw?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clientFor = (apiKey: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
const ask = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "mock-small",
  temperature: 0,
  messages: [{ role: "user" as const, content: text }],
  ...extra,
});
const status = (res: Response) => res.headers.get("x-edgeway-cache");
const upstreamCalls = () => gw.mock.stats().chat ?? 0;

describe("exact cache", () => {
  it("hits a repeat 500 ms after the first answer, with no upstream call and one Redis round trip before the answer", async () => {
    const { apiKey } = await tenantWithKey(gw.url);
    const client = clientFor(apiKey);
    const req = ask(`Cache me ${crypto.randomUUID()}`);
    const first = await client.chat.completions.create(req).withResponse();
    expect(status(first.response)).toBe("miss");
    await sleep(500);
    const second = await client.chat.completions.create(req).withResponse();
    expect(status(second.response)).toBe("hit");
    expect(second.data.choices).toEqual(first.data.choices);
    expect(second.data.usage).toEqual(first.data.usage);
    expect(second.response.headers.get("x-edgeway-cost-usd")).toBe("0.000000");
    await sleep(50); // the second request's postflight (4 ms after its answer, batched) lands first

    const [redisBefore, vectorBefore, upstreamBefore] = [
      gw.redisRest.stats().requests ?? 0,
      gw.vector.stats().queries ?? 0,
      upstreamCalls(),
    ];
    const third = await client.chat.completions.create(req).withResponse();
    expect(status(third.response)).toBe("hit");
    await sleep(300);
    // The preflight script (limits + exact read) before the answer, the postflight (usage) after it.
    expect((gw.redisRest.stats().requests ?? 0) - redisBefore).toBe(2);
    expect((gw.vector.stats().queries ?? 0) - vectorBefore).toBe(0);
    expect(upstreamCalls() - upstreamBefore).toBe(0);
  });

  it("replays a streamed answer as a stream and as JSON, and a JSON answer as a stream the SDK parses", async () => {
    const { apiKey } = await tenantWithKey(gw.url);
    const client = clientFor(apiKey);
    const streamed = ask(`Stream then JSON ${crypto.randomUUID()} [[words:9]]`);
    let live = "";
    for await (const c of await client.chat.completions.create({ ...streamed, stream: true })) live += c.choices[0]?.delta.content ?? "";
    await sleep(500);
    const asJson = await client.chat.completions.create(streamed).withResponse();
    expect(status(asJson.response)).toBe("hit");
    expect(asJson.data.choices[0]?.message.content).toBe(live);
    expect(asJson.data.choices[0]?.finish_reason).toBe("stop");

    const json = ask(`JSON then stream ${crypto.randomUUID()} [[words:6]]`);
    const original = await client.chat.completions.create(json);
    await sleep(500);
    const { data: replay, response } = await client.chat.completions
      .create({ ...json, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(status(response)).toBe("hit");
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of replay) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(original.choices[0]?.message.content);
    expect(chunks.at(-1)?.usage).toEqual(original.usage);
  });

  it("honours no-cache (miss, refreshed), no-store (bypass) and x-edgeway-cache-ttl", async () => {
    const { apiKey } = await tenantWithKey(gw.url);
    const client = clientFor(apiKey);
    const req = ask(`Controls ${crypto.randomUUID()}`);
    await client.chat.completions.create(req);
    await sleep(500);
    const noCache = await client.chat.completions.create(req, { headers: { "cache-control": "no-cache" } }).withResponse();
    expect(status(noCache.response)).toBe("miss");
    const noStore = await client.chat.completions.create(req, { headers: { "cache-control": "no-store" } }).withResponse();
    expect(status(noStore.response)).toBe("bypass");

    const short = ask(`Short TTL ${crypto.randomUUID()}`);
    await client.chat.completions.create(short, { headers: { "x-edgeway-cache-ttl": "1" } });
    await sleep(400);
    expect(status((await client.chat.completions.create(short).withResponse()).response)).toBe("hit");
    await sleep(1200);
    expect(status((await client.chat.completions.create(short).withResponse()).response)).toBe("miss");
  });

  it("caches per the tenant's mode: deterministic by default, everything with all, nothing with off", async () => {
    const creative = (t: string) => ask(t, { temperature: 0.8 });
    const byDefault = await tenantWithKey(gw.url);
    const all = await tenantWithKey(gw.url, {});
    await adminCall(gw.url, `/admin/tenants/${all.tenantId}`, { method: "PATCH", json: { cache: { mode: "all" } } });
    const off = await tenantWithKey(gw.url);
    await adminCall(gw.url, `/admin/tenants/${off.tenantId}`, { method: "PATCH", json: { cache: { mode: "off" } } });
    await sleep(1100);
    const text = `Modes ${crypto.randomUUID()}`;
    expect(status((await clientFor(byDefault.apiKey).chat.completions.create(creative(text)).withResponse()).response)).toBe("bypass");
    await clientFor(all.apiKey).chat.completions.create(creative(text));
    await sleep(500);
    expect(status((await clientFor(all.apiKey).chat.completions.create(creative(text)).withResponse()).response)).toBe("hit");
    await clientFor(off.apiKey).chat.completions.create(ask(text));
    await sleep(500);
    expect(status((await clientFor(off.apiKey).chat.completions.create(ask(text)).withResponse()).response)).toBe("bypass");
  });

  it("never serves one tenant's answer to another", async () => {
    const [a, b] = [await tenantWithKey(gw.url), await tenantWithKey(gw.url)];
    const req = ask(`Shared question ${crypto.randomUUID()}`);
    await clientFor(a.apiKey).chat.completions.create(req);
    await sleep(500);
    expect(status((await clientFor(b.apiKey).chat.completions.create(req).withResponse()).response)).toBe("miss");
  });

  it("counts hits apart in usage, with what they saved, and purges on demand", async () => {
    const { apiKey, tenantId } = await tenantWithKey(gw.url);
    const client = clientFor(apiKey);
    const req = ask(`Savings ${crypto.randomUUID()} [[words:30]]`);
    const first = await client.chat.completions.create(req).withResponse();
    const cost = Math.round(Number(first.response.headers.get("x-edgeway-cost-usd")) * 1e6);
    await sleep(500);
    await client.chat.completions.create(req);
    const report = await flushUntil(gw.url, apiKey, 2);
    expect(report.totals).toMatchObject({
      requests: 2,
      cacheHits: 1,
      costMicroUsd: cost,
      savedMicroUsd: cost,
      promptTokens: first.data.usage?.prompt_tokens,
    });
    expect(await adminCall(gw.url, `/admin/tenants/${tenantId}/cache`)).toMatchObject({ hits: 1, misses: 1, savedMicroUsd: cost });
    expect(await adminCall(gw.url, `/admin/tenants/${tenantId}/cache`, { method: "DELETE" })).toEqual({ deleted: 1 });
    expect(status((await client.chat.completions.create(req).withResponse()).response)).toBe("miss");
  });
});

describe("semantic cache", () => {
  it("hits a paraphrase with exactly one Vector query, and misses other entities, system prompts and tenants", async () => {
    const { apiKey, tenantId } = await tenantWithKey(gw.url);
    await adminCall(gw.url, `/admin/tenants/${tenantId}`, { method: "PATCH", json: { cache: { semantic: { enabled: true } } } });
    await sleep(1100);
    const client = clientFor(apiKey);
    const first = await client.chat.completions.create(ask("What is the capital of France?")).withResponse();
    expect(status(first.response)).toBe("miss");
    await sleep(500);
    const [vectorBefore, upstreamBefore] = [gw.vector.stats().queries ?? 0, upstreamCalls()];
    const paraphrase = await client.chat.completions.create(ask("Tell me the capital city of France")).withResponse();
    expect(status(paraphrase.response)).toBe("semantic-hit");
    expect(paraphrase.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect((gw.vector.stats().queries ?? 0) - vectorBefore).toBe(1);
    expect(upstreamCalls() - upstreamBefore).toBe(0);

    expect(status((await client.chat.completions.create(ask("What is the capital of Germany?")).withResponse()).response)).toBe("miss");
    const withSystem = ask("Tell me the capital city of France", {
      messages: [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Tell me the capital city of France" },
      ],
    });
    expect(status((await client.chat.completions.create(withSystem).withResponse()).response)).toBe("miss");
    const other = await tenantWithKey(gw.url);
    await adminCall(gw.url, `/admin/tenants/${other.tenantId}`, { method: "PATCH", json: { cache: { semantic: { enabled: true } } } });
    await sleep(1100);
    expect(
      status((await clientFor(other.apiKey).chat.completions.create(ask("Tell me the capital city of France")).withResponse()).response),
    ).toBe("miss");
  });
});
