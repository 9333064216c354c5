import { describe, expect, it } from "vitest";
import { anthropicStreamEncoder } from "../../../shared/anthropic-inbound/stream";
import type { StreamEncoder } from "../../../shared/chat/stream-encoder";
import { GatewayError } from "../../../shared/errors/gateway-error";
import type { ChatCompletionChunk } from "../../../shared/openai/types";

type Choice = ChatCompletionChunk["choices"][number];

const chunk = (delta: Choice["delta"], finish: Choice["finish_reason"] = null): ChatCompletionChunk => ({
  id: "chatcmpl-x",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

const usageChunk = (prompt: number, completion: number, cached = 0): ChatCompletionChunk => ({
  id: "chatcmpl-x",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [],
  usage: {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  },
});

function run(chunks: ChatCompletionChunk[], end: (e: StreamEncoder) => string = (e) => e.done()): string {
  const encoder = anthropicStreamEncoder("my-claude", "req_00ff");
  return chunks.map((c) => encoder.chunk(c)).join("") + end(encoder);
}

/** The expected wire text: one `event:` + `data:` pair per event. */
const sse = (...events: Array<Record<string, unknown> & { type: string }>) =>
  events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");

const messageStart = {
  type: "message_start",
  message: {
    id: "msg_00ff",
    type: "message",
    role: "assistant",
    model: "my-claude",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
  },
};

describe("anthropicStreamEncoder", () => {
  it("encodes a text answer as Anthropic's event sequence, usage in message_delta", () => {
    const out = run([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Hello" }),
      chunk({ content: " world" }),
      chunk({}, "stop"),
      usageChunk(1200, 2, 1024),
    ]);
    expect(out).toBe(
      sse(
        messageStart,
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        { type: "ping" },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " world" } },
        { type: "content_block_stop", index: 0 },
        {
          type: "message_delta",
          delta: { stop_reason: "end_turn", stop_sequence: null },
          usage: { input_tokens: 176, cache_creation_input_tokens: 0, cache_read_input_tokens: 1024, output_tokens: 2 },
        },
        { type: "message_stop" },
      ),
    );
  });

  it("encodes text then two tool calls as sequential blocks with input_json_delta fragments", () => {
    const out = run([
      chunk({ role: "assistant", content: "Checking." }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "noop", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
      usageChunk(30, 12),
    ]);
    expect(out).toBe(
      sse(
        messageStart,
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        { type: "ping" },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking." } },
        { type: "content_block_stop", index: 0 },
        { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "call_a", name: "get_weather", input: {} } },
        { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } },
        { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Paris"}' } },
        { type: "content_block_stop", index: 1 },
        { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "call_b", name: "noop", input: {} } },
        { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{}" } },
        { type: "content_block_stop", index: 2 },
        {
          type: "message_delta",
          delta: { stop_reason: "tool_use", stop_sequence: null },
          usage: { input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 12 },
        },
        { type: "message_stop" },
      ),
    );
  });

  it("puts reasoning in a thinking block before the text, and maps length to max_tokens", () => {
    const out = run([chunk({ reasoning_content: "Hmm." }), chunk({ content: "Yes" }, "length")]);
    expect(out).toBe(
      sse(
        messageStart,
        { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
        { type: "ping" },
        { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm." } },
        { type: "content_block_stop", index: 0 },
        { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Yes" } },
        { type: "content_block_stop", index: 1 },
        {
          type: "message_delta",
          delta: { stop_reason: "max_tokens", stop_sequence: null },
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
        { type: "message_stop" },
      ),
    );
  });

  it("closes what is still open when the upstream ends without a finish reason, and starts an empty stream", () => {
    expect(run([chunk({ content: "cut" })])).toContain(
      sse({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "cut" } }, { type: "content_block_stop", index: 0 }),
    );
    expect(run([])).toBe(
      sse(
        messageStart,
        {
          type: "message_delta",
          delta: { stop_reason: "end_turn", stop_sequence: null },
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
        { type: "message_stop" },
      ),
    );
  });

  it("ends a failed stream with Anthropic's error event and nothing after it", () => {
    const err = new GatewayError("upstream_error", "The upstream connection was lost mid-stream");
    const out = run([chunk({ content: "Hel" })], (e) => e.error(err));
    expect(out).toBe(
      sse(
        messageStart,
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        { type: "ping" },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
        { type: "error", error: { type: "api_error", message: "The upstream connection was lost mid-stream" } },
      ),
    );
  });
});
