import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../shared/errors/gateway-error";
import { estimateTokens, isEstimated } from "../../../../shared/metering/estimate";
import type { ChatCompletionRequest } from "../../../../shared/openai/chat-request";
import { type SseEvent, sseParser } from "../../../../shared/openai/sse";
import type { ChatCompletionChunk } from "../../../../shared/openai/types";
import type { Provider } from "../../../../shared/providers/registry";
import { send } from "../../../../shared/providers/send";
import type { ProviderAdapter, Target, UpstreamError } from "../../../../shared/providers/types";
import { workersAi } from "../../../../shared/providers/workers-ai";
import chatJson from "../../../fixtures/providers/workers-ai/chat.result.json";
import chatSse from "../../../fixtures/providers/workers-ai/chat.stream.sse?raw";
import embeddingsJson from "../../../fixtures/providers/workers-ai/embeddings.result.json";
import toolCallsJson from "../../../fixtures/providers/workers-ai/tool-calls.result.json";
import truncatedSse from "../../../fixtures/providers/workers-ai/truncated.stream.sse?raw";

const provider: Provider = { id: "workers-ai", adapter: workersAi, connection: { baseUrl: "workers-ai://", keyOptional: true } };
const target: Target = { model: "@cf/meta/llama-3.1-8b-instruct", baseUrl: "workers-ai:", apiKey: "" };
const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "llama-alias" };
const body: ChatCompletionRequest = { model: "llama-alias", messages: [{ role: "user", content: "What is Workers AI?" }], max_tokens: 64 };
const expectedInputs = { messages: [{ role: "user", content: "What is Workers AI?" }], max_tokens: 64 };

/** A stand-in for `env.AI`: records every `run(...)` argument list and answers with `answer`. */
function fakeAi(answer: (model: string, inputs: Record<string, unknown>) => unknown) {
  const calls: unknown[][] = [];
  return {
    calls,
    async run(...args: [string, Record<string, unknown>, { signal?: AbortSignal }?]) {
      calls.push(args);
      return answer(args[0], args[1]);
    },
  };
}

/** SSE bytes as the binding streams them, in a few uneven pieces. */
function sseStream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 37) controller.enqueue(bytes.slice(i, i + 37));
      controller.close();
    },
  });
}

/** A response body through sseParser() and the adapter's translator, as the gateway relays it. */
async function translate(res: Response): Promise<{ chunks: ChatCompletionChunk[]; error?: UpstreamError }> {
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(sseParser()).getReader();
  const translator = workersAi.chatStream(meta);
  const chunks: ChatCompletionChunk[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const out = translator.event(r.value as SseEvent);
    if (!Array.isArray(out)) return { chunks, error: out };
    chunks.push(...out);
  }
  const last = translator.end();
  return Array.isArray(last) ? { chunks: [...chunks, ...last] } : { chunks, error: last };
}

const failure = (thrown: unknown) => async () => {
  throw thrown;
};
const sendWith = (ai: unknown, request = workersAi.chatRequest(body, target), signal?: AbortSignal) =>
  send({ provider, request, bindings: { AI: ai, OTHER: "x" }, ...(signal ? { signal } : {}) });

describe("workers-ai through send()", () => {
  it("runs the model with the mapped inputs and maps the JSON result", async () => {
    const ai = fakeAi(() => chatJson);
    const res = await sendWith(ai);
    expect(ai.calls).toEqual([["@cf/meta/llama-3.1-8b-instruct", expectedInputs]]);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(workersAi.chatResponse(await res.json(), meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "llama-alias",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Workers AI runs models on Cloudflare's GPUs, close to your users — déjà vu at the edge.",
          },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 31, completion_tokens: 22, total_tokens: 53 },
    });
  });

  it("maps native tool calls with generated ids", async () => {
    const res = await sendWith(fakeAi(() => toolCallsJson));
    const completion = workersAi.chatResponse(await res.json(), meta);
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_chatcmpl-edgeway-1_0",
            type: "function",
            function: { name: "getWeather", arguments: '{"latitude":"51.5074","longitude":"-0.1278"}' },
          },
          { id: "call_chatcmpl-edgeway-1_1", type: "function", function: { name: "getTime", arguments: '{"timezone":"Europe/London"}' } },
        ],
      },
      finish_reason: "tool_calls",
      logprobs: null,
    });
  });

  it("streams: the binding's SSE becomes OpenAI chunks ending in finish and usage", async () => {
    const ai = fakeAi(() => sseStream(chatSse));
    const res = await sendWith(ai, workersAi.chatRequest({ ...body, stream: true }, target));
    expect(ai.calls).toEqual([["@cf/meta/llama-3.1-8b-instruct", { ...expectedInputs, stream: true }]]);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const { chunks, error } = await translate(res);
    expect(error).toBeUndefined();
    const head = { id: "chatcmpl-edgeway-1", object: "chat.completion.chunk", created: 1_700_000_000, model: "llama-alias" };
    const text = (content: string, first = false) => ({
      ...head,
      choices: [{ index: 0, delta: { ...(first ? { role: "assistant" } : {}), content }, finish_reason: null }],
    });
    expect(chunks).toEqual([
      text("Workers", true),
      text(" AI runs"),
      text(" models on Cloudflare's GPUs,"),
      text(" close to your users"),
      text(" — déjà vu"),
      text(" at the edge."),
      { ...head, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
      { ...head, choices: [], usage: { prompt_tokens: 31, completion_tokens: 22, total_tokens: 53 } },
    ]);
  });

  it("streams a model that answers a streaming call with JSON as one event", async () => {
    const res = await sendWith(
      fakeAi(() => toolCallsJson),
      workersAi.chatRequest({ ...body, stream: true }, target),
    );
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const { chunks, error } = await translate(res);
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, "tool_calls", null]);
    expect(chunks[0]?.choices[0]?.delta.tool_calls?.map((t) => [t.index, t.id, t.function?.name])).toEqual([
      [0, "call_chatcmpl-edgeway-1_0", "getWeather"],
      [1, "call_chatcmpl-edgeway-1_1", "getTime"],
    ]);
    expect(chunks.at(-1)?.usage).toEqual(toolCallsJson.usage);
  });

  it("fails a stream that closes without [DONE]", async () => {
    const res = await sendWith(
      fakeAi(() => sseStream(truncatedSse)),
      workersAi.chatRequest({ ...body, stream: true }, target),
    );
    const { chunks, error } = await translate(res);
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(["Workers", " AI runs"]);
    expect(error).toEqual({ kind: "server", status: 502, message: "The Workers AI stream ended before [DONE]" });
  });

  it("embeds text and marks the usage it cannot know", async () => {
    const ai = fakeAi(() => embeddingsJson);
    const embedBody = { model: "bge", input: ["The quick brown fox", "🦊"] };
    const request = (workersAi as Required<ProviderAdapter>).embeddingsRequest(embedBody, {
      ...target,
      model: "@cf/baai/bge-base-en-v1.5",
    });
    const res = await sendWith(ai, request);
    expect(ai.calls).toEqual([["@cf/baai/bge-base-en-v1.5", { text: ["The quick brown fox", "🦊"] }]]);
    const out = (workersAi as Required<ProviderAdapter>).embeddingsResponse(await res.json(), { ...meta, model: "bge" }, embedBody);
    expect(out).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: embeddingsJson.data[0] },
        { object: "embedding", index: 1, embedding: embeddingsJson.data[1] },
      ],
      model: "bge",
      usage: {
        prompt_tokens: estimateTokens("The quick brown fox") + estimateTokens("🦊"),
        total_tokens: estimateTokens("The quick brown fox") + estimateTokens("🦊"),
      },
    });
    expect(isEstimated(out.usage)).toBe(true);
  });

  it.each([
    ["AiError: 3040: Capacity temporarily exceeded, please try again.", "upstream_unavailable", 429, "overloaded"],
    ["AiError: AiError: 3036: You have used up your daily free allocation of 10,000 neurons.", "upstream_rate_limited", 429, "rate_limit"],
    ["AiError: 5006: Error: required properties at '/' are 'messages'", "invalid_request", 400, "invalid_request"],
    ["InferenceUpstreamError: 5007: No such model @cf/meta/llama-9 or task", "upstream_error", 400, "not_found"],
    ["AiError: 3007: Request timeout", "upstream_timeout", 408, "timeout"],
    ["Something unexpected happened", "upstream_error", 500, "server"],
  ])("turns a binding error %j into %s", async (message, code, status, kind) => {
    const err = await sendWith({ run: failure(new Error(message)) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code, details: { upstream: { provider: "workers-ai", status, kind } } });
    if (kind === "invalid_request") expect((err as GatewayError).message).toBe(`Provider workers-ai: ${message.replace("AiError: ", "")}`);
  });

  it("reads the code of an error that carries it as a property", async () => {
    const thrown = Object.assign(new Error("Capacity temporarily exceeded"), { code: 3040 });
    await expect(sendWith({ run: failure(thrown) })).rejects.toMatchObject({ code: "upstream_unavailable" });
  });

  it("throws when the AI binding is not configured", async () => {
    for (const ai of [undefined, {}, { run: "not a function" }]) {
      const err = await sendWith(ai).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "upstream_error", message: "Provider workers-ai could not be reached" });
      expect((err as GatewayError).cause).toEqual(
        new Error('The Workers AI binding is not configured: add [ai] binding = "AI" to wrangler.toml'),
      );
    }
  });

  it("hands the abort signal to the binding and reports an aborted call as a timeout", async () => {
    const controller = new AbortController();
    const ai = fakeAi(
      (_model, _inputs) =>
        new Promise((_, reject) => {
          controller.signal.addEventListener("abort", () => reject(new DOMException("The operation was aborted", "AbortError")));
        }),
    );
    const pending = sendWith(ai, undefined, controller.signal).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toMatchObject({ code: "upstream_timeout" });
    expect(ai.calls[0]?.[2]).toEqual({ signal: controller.signal });
  });
});
