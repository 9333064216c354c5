import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../../local/mock-upstream/server";
import { countTokens } from "../../local/mock-upstream/tokens";

let mock: MockUpstream;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockUpstream();
  client = new Anthropic({ baseURL: mock.url, apiKey: "x", maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.control.reset();
  mock.resetStats();
});

const base = {
  model: "mock-small",
  max_tokens: 256,
  system: "Be brief.",
  messages: [{ role: "user" as const, content: "Hello there" }],
};

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: {
    type: "object",
    properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
    required: ["city", "unit"],
  },
};

/** Drops the per-request id and the SDK-side `parsed_output` (added by the stream helper, never on the wire). */
function withoutId(m: Anthropic.Message): Record<string, unknown> {
  const { id: _id, ...rest } = m as Anthropic.Message & { parsed_output?: unknown };
  delete rest.parsed_output;
  return rest;
}

describe("messages (JSON)", () => {
  it("answers a Message with hand-computed usage", async () => {
    const m = await client.messages.create(base);
    expect(m.type).toBe("message");
    expect(m.role).toBe("assistant");
    expect(m.id).toMatch(/^msg_/);
    expect(m.model).toBe("mock-small");
    expect(m.content).toHaveLength(1);
    const blk = m.content[0];
    expect(blk?.type === "text" && blk.text.startsWith("[mock-small] ")).toBe(true);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.stop_sequence).toBeNull();
    // system Be brief . = 3 → 6; user 2 → 5; + 3 = 14; output 5 + 12 (same rule as OpenAI)
    expect(m.usage).toMatchObject({
      input_tokens: 14,
      output_tokens: 17,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
  });

  it("accepts system as blocks with the same count, and matches OpenAI content for the same prompt", async () => {
    const a = await client.messages.create({ ...base, system: [{ type: "text", text: "Be brief." }] });
    expect(a.usage.input_tokens).toBe(14);
    const b = await client.messages.create(base);
    expect(a.content).toEqual(b.content);
  });

  it("honours stop_sequences and max_tokens", async () => {
    const full = await client.messages.create(base);
    const text = full.content[0]?.type === "text" ? full.content[0].text : "";
    const word = text.split(" ")[3] as string;
    const s = await client.messages.create({ ...base, stop_sequences: [word] });
    expect(s.stop_reason).toBe("stop_sequence");
    expect(s.stop_sequence).toBe(word);
    expect(s.content[0]?.type === "text" && s.content[0].text).toBe(text.slice(0, text.indexOf(word)));
    const l = await client.messages.create({ ...base, max_tokens: 6 });
    expect(l.stop_reason).toBe("max_tokens");
    expect(l.usage.output_tokens).toBe(6);
    expect(l.content[0]?.type === "text" && l.content[0].text).toBe(text.split(" ").slice(0, 2).join(" "));
  });

  it("reports cache reads outside input_tokens when a cached fraction is set", async () => {
    mock.control.set({ cachedTokenFraction: 0.5 });
    const m = await client.messages.create(base);
    expect(m.usage.cache_read_input_tokens).toBe(7);
    expect(m.usage.input_tokens).toBe(7);
  });

  it("counts tokens via /v1/messages/count_tokens", async () => {
    const r = await client.messages.countTokens({ model: "mock-small", system: "Be brief.", messages: base.messages });
    expect(r.input_tokens).toBe(14);
  });
});

describe("messages (stream)", () => {
  it("emits the real event sequence and the SDK's final message equals the JSON one", async () => {
    const json = await client.messages.create(base);
    const stream = client.messages.stream(base);
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(withoutId(final)).toEqual(withoutId(json));
    // (the SDK swallows `ping`; the wire test below sees it)
    expect(types.slice(0, 3)).toEqual(["message_start", "content_block_start", "content_block_delta"]);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(types.filter((t) => t === "content_block_delta")).toHaveLength(13);
  });

  it("uses event: lines on the wire", async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "x", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ ...base, stream: true }),
    });
    const frames = (await res.text()).split("\n\n").filter(Boolean);
    const names = frames.map((f) => f.split("\n")[0]);
    expect(names.slice(0, 4)).toEqual(["event: message_start", "event: content_block_start", "event: ping", "event: content_block_delta"]);
    expect(names.slice(-3)).toEqual(["event: content_block_stop", "event: message_delta", "event: message_stop"]);
    for (const f of frames) {
      const [ev, data] = f.split("\n");
      const type = ev?.slice("event: ".length);
      expect(JSON.parse(data?.slice("data: ".length) ?? "").type).toBe(type);
    }
    const delta = JSON.parse(frames.at(-2)?.split("\n")[1]?.slice(6) ?? "");
    expect(delta).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 17 },
    });
  });
});

describe("tools", () => {
  it("answers tool_use blocks; streamed input_json_delta reassembles to the same message", async () => {
    const params = {
      ...base,
      messages: [{ role: "user" as const, content: "Please call get_weather now" }],
      tools: [weather],
    };
    const json = await client.messages.create(params);
    expect(json.stop_reason).toBe("tool_use");
    const blk = json.content[0];
    if (blk?.type !== "tool_use") throw new Error("expected tool_use");
    expect(blk.id).toMatch(/^toolu_/);
    expect(blk.name).toBe("get_weather");
    const input = blk.input as { city: unknown; unit: unknown };
    expect(typeof input.city).toBe("string");
    expect(["c", "f"]).toContain(input.unit);
    expect(json.usage.output_tokens).toBe(countTokens(JSON.stringify(blk.input)));
    expect(json.usage.input_tokens).toBe(6 + 3 + countTokens("Please call get_weather now") + 3 + countTokens(JSON.stringify([weather])));

    const stream = client.messages.stream(params);
    const fragments: string[] = [];
    stream.on("streamEvent", (e) => {
      if (e.type === "content_block_delta" && e.delta.type === "input_json_delta") fragments.push(e.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(withoutId(final)).toEqual(withoutId(json));
    expect(fragments.length).toBeGreaterThan(2);
    expect(fragments.join("")).toBe(JSON.stringify(blk.input));
  });

  it("follows tool_choice any/tool/none and answers text after a tool_result", async () => {
    const any = await client.messages.create({ ...base, tools: [weather], tool_choice: { type: "any" } });
    expect(any.stop_reason).toBe("tool_use");
    const none = await client.messages.create({
      ...base,
      messages: [{ role: "user", content: "call get_weather" }],
      tools: [weather],
      tool_choice: { type: "none" },
    });
    expect(none.stop_reason).toBe("end_turn");
    const first = await client.messages.create({
      ...base,
      messages: [{ role: "user", content: "call get_weather" }],
      tools: [weather],
    });
    const tu = first.content[0];
    if (tu?.type !== "tool_use") throw new Error("expected tool_use");
    const after = await client.messages.create({
      ...base,
      tools: [weather],
      messages: [
        { role: "user", content: "call get_weather" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: tu.id, content: "sunny" }] },
      ],
    });
    expect(after.stop_reason).toBe("end_turn");
  });
});

describe("errors", () => {
  it("requires x-api-key and anthropic-version", async () => {
    const noKey = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      headers: { "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify(base),
    });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "x-api-key header is required" },
    });
    const noVersion = await fetch(`${mock.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "x", "content-type": "application/json" },
      body: JSON.stringify(base),
    });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).error.type).toBe("invalid_request_error");
  });

  it("maps to the SDK's typed errors", async () => {
    const nf = await client.messages.create({ ...base, model: "mock-missing" }).catch((e) => e);
    expect(nf).toBeInstanceOf(Anthropic.NotFoundError);
    expect(nf.error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    mock.control.set({ failNext: 1, failureStatus: 529 });
    const ov = await client.messages.create(base).catch((e) => e);
    expect(ov).toBeInstanceOf(Anthropic.InternalServerError);
    expect(ov.status).toBe(529);
    expect(ov.error.error.type).toBe("overloaded_error");
    mock.control.set({ failNext: 1, failureStatus: 429, retryAfter: 2 });
    const rl = await client.messages.create(base).catch((e) => e);
    expect(rl).toBeInstanceOf(Anthropic.RateLimitError);
    expect(rl.headers.get("retry-after")).toBe("2");
  });

  it("a midstream cut makes the SDK stream throw", async () => {
    mock.control.set({ fault: "midstream-cut", cutAfterChunks: 3 });
    const stream = client.messages.stream(base);
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});
