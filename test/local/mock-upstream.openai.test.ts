import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../../local/mock-upstream/server";
import { countTokens } from "../../local/mock-upstream/tokens";

let mock: MockUpstream;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream({ seed: 7 });
  client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.control.reset();
  mock.resetStats();
});

const hello = [{ role: "user" as const, content: "Hello there" }];

/** countTokens("[mock-small]") = [ mock - small ] = 5 */
const PREFIX_SMALL = 5;

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        unit: { type: "string", enum: ["c", "f"] },
        days: { type: "integer", minimum: 1, maximum: 7 },
      },
      required: ["city", "unit", "days"],
    },
  },
};
const pingTool = {
  type: "function" as const,
  function: { name: "ping", parameters: { type: "object", properties: {} } },
};

describe("chat completions (JSON)", () => {
  it("answers with deterministic content and hand-computed usage", async () => {
    const r = await client.chat.completions.create({ model: "mock-small", messages: hello });
    expect(r.object).toBe("chat.completion");
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(r.model).toBe("mock-small");
    const text = r.choices[0]?.message.content ?? "";
    expect(text.startsWith("[mock-small] ")).toBe(true);
    expect(text.split(" ")).toHaveLength(13);
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.choices[0]?.message.role).toBe("assistant");
    // "Hello there" = 2 tokens → (2 + 3) + 3 = 8; completion = 5 + 12 words.
    expect(r.usage).toMatchObject({
      prompt_tokens: 8,
      completion_tokens: 17,
      total_tokens: 25,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it("counts every message, system included", async () => {
    const r = await client.chat.completions.create({
      model: "mock-small",
      messages: [{ role: "system", content: "Be brief." }, ...hello],
    });
    // system: Be brief . = 3 → 6; user 2 → 5; + 3 = 14
    expect(r.usage?.prompt_tokens).toBe(14);
  });

  it("is deterministic per (model, last user text, seed)", async () => {
    const a = await client.chat.completions.create({ model: "mock-small", messages: hello });
    const b = await client.chat.completions.create({ model: "mock-small", messages: hello });
    const c = await client.chat.completions.create({ model: "mock-small", messages: hello, seed: 42 });
    const d = await client.chat.completions.create({ model: "mock-small", messages: hello, seed: 42 });
    const e = await client.chat.completions.create({ model: "mock-large", messages: hello });
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    expect(c.choices[0]?.message.content).toBe(d.choices[0]?.message.content);
    expect(c.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content);
    expect(c.system_fingerprint).toBe(d.system_fingerprint);
    expect(c.system_fingerprint).not.toBe(a.system_fingerprint);
    expect(e.choices[0]?.message.content?.startsWith("[mock-large] ")).toBe(true);
    expect(a.id).not.toBe(b.id);
  });

  it("honours [[words:N]]", async () => {
    const r = await client.chat.completions.create({
      model: "mock-small",
      messages: [{ role: "user", content: "go [[words:40]]" }],
    });
    expect(r.choices[0]?.message.content?.split(" ")).toHaveLength(41);
    expect(r.usage?.completion_tokens).toBe(PREFIX_SMALL + 40);
    // prompt: go [ [ words : 40 ] ] = 8 → 11 + 3
    expect(r.usage?.prompt_tokens).toBe(14);
  });

  it("returns n choices with distinct content and summed usage", async () => {
    const r = await client.chat.completions.create({ model: "mock-small", messages: hello, n: 3 });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(new Set(r.choices.map((c) => c.message.content)).size).toBe(3);
    expect(r.usage?.completion_tokens).toBe(3 * 17);
  });

  it("honours stop sequences", async () => {
    const full = (await client.chat.completions.create({ model: "mock-small", messages: hello })).choices[0]?.message.content ?? "";
    const stop = full.split(" ")[4] as string;
    const r = await client.chat.completions.create({ model: "mock-small", messages: hello, stop: ["zzz-never", stop] });
    const text = r.choices[0]?.message.content ?? "";
    expect(text).toBe(full.slice(0, full.indexOf(stop)));
    expect(text).not.toContain(stop);
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage?.completion_tokens).toBe(countTokens(text));
  });

  it("honours max_tokens and max_completion_tokens with finish_reason length", async () => {
    const full = (await client.chat.completions.create({ model: "mock-small", messages: hello })).choices[0]?.message.content ?? "";
    const r = await client.chat.completions.create({ model: "mock-small", messages: hello, max_tokens: 7 });
    expect(r.choices[0]?.finish_reason).toBe("length");
    expect(r.choices[0]?.message.content).toBe(full.split(" ").slice(0, 3).join(" "));
    expect(r.usage?.completion_tokens).toBe(7);
    const r2 = await client.chat.completions.create({ model: "mock-small", messages: hello, max_completion_tokens: 3 });
    expect(r2.choices[0]?.message.content).toBe("[mock-");
    expect(r2.usage?.completion_tokens).toBe(3);
  });

  it("returns deterministic logprobs", async () => {
    const params = { model: "mock-small", messages: hello, logprobs: true, top_logprobs: 3 };
    const a = await client.chat.completions.create(params);
    const b = await client.chat.completions.create(params);
    const lp = a.choices[0]?.logprobs?.content ?? [];
    expect(lp).toHaveLength(17);
    expect(lp.map((t) => t.token).join("")).toBe(a.choices[0]?.message.content);
    for (const t of lp) {
      expect(t.logprob).toBeLessThanOrEqual(0);
      expect(t.top_logprobs).toHaveLength(3);
      expect(t.top_logprobs[0]?.token).toBe(t.token);
      expect(Buffer.from(t.bytes ?? []).toString("utf8")).toBe(t.token);
    }
    expect(b.choices[0]?.logprobs).toEqual(a.choices[0]?.logprobs);
    const none = await client.chat.completions.create({ model: "mock-small", messages: hello });
    expect(none.choices[0]?.logprobs).toBeNull();
  });

  it("produces valid JSON for response_format json_object and json_schema", async () => {
    const a = await client.chat.completions.create({
      model: "mock-small",
      messages: hello,
      response_format: { type: "json_object" },
    });
    const obj = JSON.parse(a.choices[0]?.message.content ?? "");
    expect(typeof obj).toBe("object");
    const b = await client.chat.completions.create({
      model: "mock-small",
      messages: hello,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "person",
          schema: {
            type: "object",
            properties: {
              name: { type: "string" },
              age: { type: "integer", minimum: 18, maximum: 99 },
              tags: { type: "array", items: { type: "string" } },
              kind: { enum: ["a", "b"] },
              address: { type: "object", properties: { zip: { type: "string" } } },
              ok: { type: "boolean" },
            },
            required: ["name", "age", "tags", "kind", "address", "ok"],
          },
        },
      },
    });
    const p = JSON.parse(b.choices[0]?.message.content ?? "");
    expect(typeof p.name).toBe("string");
    expect(Number.isInteger(p.age) && p.age >= 18 && p.age <= 99).toBe(true);
    expect(Array.isArray(p.tags) && p.tags.every((t: unknown) => typeof t === "string")).toBe(true);
    expect(["a", "b"]).toContain(p.kind);
    expect(typeof p.address.zip).toBe("string");
    expect(typeof p.ok).toBe("boolean");
  });

  it("accepts and counts image_url parts", async () => {
    const r = await client.chat.completions.create({
      model: "mock-small",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
      ],
    });
    // What is this ? = 4 → 3 + (3 + 4 + 85)
    expect(r.usage?.prompt_tokens).toBe(95);
  });

  it("reports reasoning tokens for reasoning models and cached tokens when configured", async () => {
    const r = await client.chat.completions.create({ model: "mock-reason", messages: hello });
    // [ mock - reason ] = 5, + 12 words visible; reasoning equals visible
    expect(r.usage?.completion_tokens_details?.reasoning_tokens).toBe(17);
    expect(r.usage?.completion_tokens).toBe(34);
    expect(r.usage?.total_tokens).toBe(8 + 34);
    mock.control.set({ cachedTokenFraction: 0.5 });
    const c = await client.chat.completions.create({
      model: "mock-small",
      messages: [{ role: "system", content: "Be brief." }, ...hello],
    });
    expect(c.usage?.prompt_tokens_details?.cached_tokens).toBe(7);
    expect(c.usage?.prompt_tokens).toBe(14);
  });
});

describe("chat completions (stream)", () => {
  it("streams one word per chunk, content equal to JSON, no usage without include_usage", async () => {
    const json = await client.chat.completions.create({ model: "mock-small", messages: hello });
    const stream = await client.chat.completions.create({ model: "mock-small", messages: hello, stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && !("usage" in c))).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const pieces = chunks.map((c) => c.choices[0]?.delta.content ?? "").filter((s) => s !== "");
    expect(pieces).toHaveLength(13);
    expect(pieces.join("")).toBe(json.choices[0]?.message.content);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices[0]?.delta).toEqual({});
  });

  it("with include_usage: usage null on every chunk, then a choices:[] chunk with usage equal to JSON usage", async () => {
    const json = await client.chat.completions.create({ model: "mock-small", messages: hello, n: 2 });
    const stream = await client.chat.completions.create({
      model: "mock-small",
      messages: hello,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(json.usage);
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    for (const i of [0, 1]) {
      const text = chunks.map((c) => (c.choices[0]?.index === i ? (c.choices[0]?.delta.content ?? "") : "")).join("");
      expect(text).toBe(json.choices[i]?.message.content);
    }
  });

  it("streams logprobs equal to the JSON ones", async () => {
    const params = { model: "mock-small", messages: hello, logprobs: true, top_logprobs: 2 };
    const json = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const lps: unknown[] = [];
    for await (const c of stream) lps.push(...(c.choices[0]?.logprobs?.content ?? []));
    expect(lps).toEqual(json.choices[0]?.logprobs?.content);
  });

  it("ends with data: [DONE] on the wire", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-small", messages: hello, stream: true }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(
      text
        .split("\n\n")
        .filter(Boolean)
        .every((f) => f.startsWith("data: ")),
    ).toBe(true);
  });
});

describe("tools", () => {
  it("calls the tool named after 'call' with schema-valid arguments", async () => {
    const r = await client.chat.completions.create({
      model: "mock-small",
      messages: [{ role: "user", content: "Please call get_weather for Paris" }],
      tools: [pingTool, weatherTool],
    });
    const c = r.choices[0];
    expect(c?.finish_reason).toBe("tool_calls");
    expect(c?.message.content).toBeNull();
    const tc = c?.message.tool_calls?.[0];
    expect(c?.message.tool_calls).toHaveLength(1);
    if (tc?.type !== "function") throw new Error("expected a function tool call");
    expect(tc.id).toMatch(/^call_/);
    expect(tc.function.name).toBe("get_weather");
    const args = JSON.parse(tc.function.arguments);
    expect(typeof args.city).toBe("string");
    expect(["c", "f"]).toContain(args.unit);
    expect(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7).toBe(true);
    expect(r.usage?.completion_tokens).toBe(countTokens(tc.function.arguments));
    expect(r.usage?.prompt_tokens).toBe(
      3 + 3 + countTokens("Please call get_weather for Paris") + countTokens(JSON.stringify([pingTool, weatherTool])),
    );
  });

  it("counts tools by hand for a tiny tool", async () => {
    const r = await client.chat.completions.create({ model: "mock-small", messages: hello, tools: [pingTool] });
    // [{"type":"function","function":{"name":"ping","parameters":{"type":"object","properties":{}}}}]
    // 9 words (type function function name ping parameters type object properties) + 18 '"' + 6 ':'
    // + 3 ',' + 4 '{' + 4 '}' + '[' + ']' = 46
    expect(r.usage?.prompt_tokens).toBe(8 + 46);
    expect(r.choices[0]?.finish_reason).toBe("stop");
  });

  it("calls several tools in parallel unless parallel_tool_calls is false", async () => {
    const messages = [{ role: "user" as const, content: "call ping and then get_weather" }];
    const r = await client.chat.completions.create({ model: "mock-small", messages, tools: [weatherTool, pingTool] });
    expect(r.choices[0]?.message.tool_calls?.map((t) => (t.type === "function" ? t.function.name : ""))).toEqual(["ping", "get_weather"]);
    const one = await client.chat.completions.create({
      model: "mock-small",
      messages,
      tools: [weatherTool, pingTool],
      parallel_tool_calls: false,
    });
    expect(one.choices[0]?.message.tool_calls).toHaveLength(1);
  });

  it("follows tool_choice required / named / none, and answers text after a tool result", async () => {
    const req = await client.chat.completions.create({
      model: "mock-small",
      messages: hello,
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(req.choices[0]?.finish_reason).toBe("tool_calls");
    const named = await client.chat.completions.create({
      model: "mock-small",
      messages: hello,
      tools: [weatherTool, pingTool],
      tool_choice: { type: "function", function: { name: "ping" } },
    });
    const tc = named.choices[0]?.message.tool_calls?.[0];
    expect(tc?.type === "function" && tc.function.name).toBe("ping");
    expect(tc?.type === "function" && tc.function.arguments).toBe("{}");
    const none = await client.chat.completions.create({
      model: "mock-small",
      messages: [{ role: "user", content: "call get_weather" }],
      tools: [weatherTool],
      tool_choice: "none",
    });
    expect(none.choices[0]?.finish_reason).toBe("stop");
    const after = await client.chat.completions.create({
      model: "mock-small",
      messages: [
        { role: "user", content: "call get_weather" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
      tools: [weatherTool],
    });
    expect(after.choices[0]?.finish_reason).toBe("stop");
    expect(after.choices[0]?.message.content).toMatch(/^\[mock-small\] /);
    // user: call get _ weather = 4 → 7; assistant: get _ weather { } = 5 → 8; tool: sunny = 1 → 4; + 3 + tools
    expect(after.usage?.prompt_tokens).toBe(7 + 8 + 4 + 3 + countTokens(JSON.stringify([weatherTool])));
  });

  it("streams tool_calls as deltas (id/name first, arguments in fragments) that reassemble to the JSON answer", async () => {
    const params = {
      model: "mock-small",
      messages: [{ role: "user" as const, content: "call get_weather and ping" }],
      tools: [weatherTool, pingTool],
    };
    const json = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    const calls: Array<{ id: string; name: string; args: string }> = [];
    let finish: string | null = null;
    let usage: unknown = null;
    let argFragments = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const ch = chunk.choices[0];
      if (!ch) continue;
      finish = ch.finish_reason ?? finish;
      for (const d of ch.delta.tool_calls ?? []) {
        if (d.id) {
          expect(d.function?.name).toBeTruthy();
          calls[d.index] = { id: d.id, name: d.function?.name ?? "", args: d.function?.arguments ?? "" };
        } else {
          expect(d.function?.name).toBeUndefined();
          argFragments++;
          (calls[d.index] as { args: string }).args += d.function?.arguments ?? "";
        }
      }
    }
    expect(finish).toBe("tool_calls");
    expect(argFragments).toBeGreaterThan(2);
    expect(usage).toEqual(json.usage);
    const expected = json.choices[0]?.message.tool_calls?.map((t) =>
      t.type === "function" ? { id: t.id, name: t.function.name, args: t.function.arguments } : null,
    );
    expect(calls).toEqual(expected);

    const helper = await client.chat.completions.stream(params).finalChatCompletion();
    expect(helper.choices[0]?.message.tool_calls?.map((t) => (t.type === "function" ? t.function.arguments : ""))).toEqual(
      expected?.map((e) => e?.args),
    );
  });
});

describe("embeddings and models", () => {
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

  it("returns deterministic unit vectors (SDK default base64 decoding) with usage", async () => {
    const r = await client.embeddings.create({ model: "text-embedding-3-small", input: ["Hello there", "Hi, you!"] });
    expect(r.object).toBe("list");
    expect(r.data).toHaveLength(2);
    expect(r.data[0]?.embedding).toHaveLength(1536);
    expect(norm(r.data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
    // Hello there = 2; Hi , you ! = 4
    expect(r.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    const again = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: "Hello there",
      encoding_format: "float",
    });
    expect(again.data[0]?.embedding).toEqual(r.data[0]?.embedding);
    expect(again.data[0]?.embedding).not.toEqual(r.data[1]?.embedding);
  });

  it("supports dimensions and explicit base64", async () => {
    const f = await client.embeddings.create({
      model: "text-embedding-3-large",
      input: "abc",
      dimensions: 8,
      encoding_format: "float",
    });
    expect(f.data[0]?.embedding).toHaveLength(8);
    expect(norm(f.data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
    const b = await client.embeddings.create({
      model: "text-embedding-3-large",
      input: "abc",
      dimensions: 8,
      encoding_format: "base64",
    });
    const raw = b.data[0]?.embedding as unknown as string;
    expect(typeof raw).toBe("string");
    const buf = Buffer.from(raw, "base64");
    expect(Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4))).toEqual(f.data[0]?.embedding);
    const large = await client.embeddings.create({
      model: "text-embedding-3-large",
      input: "abc",
      encoding_format: "float",
    });
    expect(large.data[0]?.embedding).toHaveLength(3072);
  });

  it("lists and retrieves models; mock-missing is 404 model_not_found", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("mock-small");
    expect((await client.models.retrieve("anything-goes")).id).toBe("anything-goes");
    await expect(client.models.retrieve("mock-missing")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("errors", () => {
  it("mock-missing → NotFoundError with code model_not_found", async () => {
    const err = await client.chat.completions.create({ model: "mock-missing", messages: hello }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.status).toBe(404);
    expect(err.code).toBe("model_not_found");
    expect(err.type).toBe("invalid_request_error");
  });

  it("missing bearer token → OpenAI-shaped 401", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-small", messages: hello }),
    });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: null });
    expect(typeof body.error.message).toBe("string");
  });

  it("injected statuses map to the SDK's typed errors", async () => {
    mock.control.set({ failNext: 1, failureStatus: 429, retryAfter: 3 });
    const rl = await client.chat.completions.create({ model: "mock-small", messages: hello }).catch((e) => e);
    expect(rl).toBeInstanceOf(OpenAI.RateLimitError);
    expect(rl.code).toBe("rate_limit_exceeded");
    expect(rl.headers.get("retry-after")).toBe("3");
    mock.control.set({ failNext: 1, failureStatus: 500 });
    const ise = await client.chat.completions.create({ model: "mock-small", messages: hello }).catch((e) => e);
    expect(ise).toBeInstanceOf(OpenAI.InternalServerError);
    expect(ise.type).toBe("server_error");
    const ok = await client.chat.completions.create({ model: "mock-small", messages: hello });
    expect(ok.choices).toHaveLength(1);
  });

  it("bad JSON → 400 in OpenAI shape", async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer x" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe("invalid_request_error");
  });
});
