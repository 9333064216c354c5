import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { MockUpstream } from "../../local/mock-upstream/server";
import { MessagesRequest, toChatRequest } from "../../shared/anthropic-inbound/request";
import { type Gateway, startIsolatedGateway } from "../helpers/node/gateway";

let gw: Gateway & { mock: MockUpstream };
let client: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  gw = await startIsolatedGateway();
  client = new Anthropic({ baseURL: gw.url, apiKey: inject("stack").apiKey, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: inject("stack").apiKey, maxRetries: 0 });
});
afterAll(() => gw?.stop());
beforeEach(() => gw.mock.control.reset());

type Params = Anthropic.MessageCreateParamsNonStreaming;

/** What the OpenAI endpoint of the same gateway reports for the translated request. */
async function openAIUsage(params: Params) {
  const body = toChatRequest(MessagesRequest.parse(params)) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
  const usage = (await openai.chat.completions.create(body)).usage;
  const details = usage?.prompt_tokens_details as { cached_tokens?: number; cache_creation_tokens?: number } | undefined;
  const cached = details?.cached_tokens ?? 0;
  const creation = details?.cache_creation_tokens ?? 0;
  return {
    input_tokens: (usage?.prompt_tokens ?? 0) - cached - creation,
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: cached,
    output_tokens: usage?.completion_tokens ?? 0,
  };
}

const MODELS = [
  { model: "mock-small", provider: "mock" },
  { model: "gpt-4o-mini", provider: "openai" },
  { model: "claude-haiku-4-5", provider: "anthropic" },
  { model: "gemini-2.5-flash", provider: "gemini" },
] as const;

describe.each(MODELS)("messages through the Anthropic SDK: $model ($provider wire format upstream)", ({ model, provider }) => {
  it("answers JSON with the OpenAI endpoint's usage, and a stream whose final message equals it", async () => {
    const params: Params = {
      model,
      max_tokens: 256,
      system: "Be terse.",
      messages: [{ role: "user", content: `Describe ${provider} [[words:7]]` }],
    };
    const { data: json, response } = await client.messages.create(params).withResponse();
    expect(response.headers.get("x-edgeway-model")).toBe(`${provider}/${model}`);
    expect(json).toMatchObject({ type: "message", role: "assistant", model, stop_reason: "end_turn", stop_sequence: null });
    expect(json.id).toMatch(/^msg_/);
    expect(json.content).toEqual([{ type: "text", text: expect.stringMatching(new RegExp(`^\\[${model}\\]( \\w+){7}$`)) }]);
    expect(json.usage).toEqual(await openAIUsage(params));

    const final = await client.messages.stream(params).finalMessage();
    expect(final.content).toEqual(json.content);
    expect(final.usage).toEqual(json.usage);
    expect(final.stop_reason).toBe("end_turn");
  });

  it("calls the tool when tool_choice is any, in JSON and in a stream", async () => {
    const params: Params = {
      model,
      max_tokens: 256,
      messages: [{ role: "user", content: "Please call lookup_order for order 42" }],
      tools: [{ name: "lookup_order", input_schema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }],
      tool_choice: { type: "any" },
    };
    const json = await client.messages.create(params);
    expect(json.stop_reason).toBe("tool_use");
    const call = json.content.find((b) => b.type === "tool_use");
    expect(call).toMatchObject({ type: "tool_use", name: "lookup_order", input: { id: expect.any(String) } });
    expect(json.usage).toEqual(await openAIUsage(params));

    const final = await client.messages.stream(params).finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    const streamed = final.content.find((b) => b.type === "tool_use");
    expect(streamed && { name: streamed.name, input: streamed.input }).toEqual({
      name: "lookup_order",
      input: call?.type === "tool_use" && call.input,
    });
    expect(final.usage).toEqual(json.usage);
  });
});

describe("a tool round trip", () => {
  it("sends the tool result back and gets an answer", async () => {
    const msg = await client.messages.create({
      model: "mock-small",
      max_tokens: 128,
      messages: [
        { role: "user", content: "Please call get_weather for Paris" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18°C and sunny" }] },
      ],
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    });
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.content[0]?.type).toBe("text");
    const sent = gw.mock.control.requests(1)[0]?.body as { messages: unknown[] };
    expect(sent.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18°C and sunny" },
    ]);
  });
});

describe("the stream on the wire", () => {
  it("is Anthropic's event sequence", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": inject("stack").apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-small", max_tokens: 64, stream: true, messages: [{ role: "user", content: "Hi [[words:3]]" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await res.text()).trim().split("\n\n");
    const names = events.map((e) => e.split("\n")[0]?.replace("event: ", ""));
    expect(names[0]).toBe("message_start");
    expect(names.slice(1, 3)).toEqual(["content_block_start", "ping"]);
    expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(new Set(names.slice(3, -3))).toEqual(new Set(["content_block_delta"]));
  });
});

describe("errors in Anthropic's shape", () => {
  it("401 authentication_error for a wrong key", async () => {
    const bad = new Anthropic({ baseURL: gw.url, apiKey: "ew_test_wrongwrongwrongwrongwrongwrong", maxRetries: 0 });
    const err = await bad.messages
      .create({ model: "mock-small", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.error).toEqual({
      type: "error",
      error: {
        type: "authentication_error",
        message: "Incorrect API key provided. You can find your Edgeway key in your dashboard or ask your admin.",
      },
    });
  });

  it("404 not_found_error for an unknown model", async () => {
    const err = await client.messages
      .create({ model: "no-such-model", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "The model `no-such-model` does not exist or you do not have access to it." },
    });
  });

  it("400 invalid_request_error for a malformed body and for content the gateway cannot translate", async () => {
    const invalid = await client.messages
      .create({ model: "mock-small", messages: [{ role: "user", content: "hi" }] } as never)
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
    expect(invalid.error).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Invalid input: expected number, received undefined" },
    });
    const document = { type: "document", source: { type: "text", media_type: "text/plain", data: "x" } } as const;
    const untranslatable = await client.messages
      .create({ model: "mock-small", max_tokens: 8, messages: [{ role: "user", content: [document] }] })
      .catch((e) => e);
    expect(untranslatable).toBeInstanceOf(Anthropic.BadRequestError);
    expect(untranslatable.error).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "Content blocks of type 'document' are not supported in user messages through this gateway",
      },
    });
  });

  it("ends a stream cut by the upstream with Anthropic's error event, which the SDK throws", async () => {
    gw.mock.control.set({ failNext: 1, fault: "midstream-cut", cutAfterChunks: 3 });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": inject("stack").apiKey, "content-type": "application/json" },
      body: JSON.stringify({
        model: "mock-small",
        max_tokens: 256,
        stream: true,
        messages: [{ role: "user", content: "Cut me off [[words:20]]" }],
      }),
    });
    const events = (await res.text()).trim().split("\n\n");
    expect(events.some((e) => e.startsWith("event: message_stop"))).toBe(false);
    expect(events.at(-1)).toBe(
      `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", message: "Provider mock: The upstream connection was lost mid-stream" } })}`,
    );

    gw.mock.control.set({ failNext: 1, fault: "midstream-cut", cutAfterChunks: 3 });
    const stream = client.messages.stream({
      model: "mock-small",
      max_tokens: 256,
      messages: [{ role: "user", content: "Cut me off [[words:20]]" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow(/lost mid-stream/);
  });
});
