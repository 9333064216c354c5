import { describe, expect, it } from "vitest";
import { messageId, stopReason, toAnthropicMessage, toAnthropicUsage, toolInput } from "../../../shared/anthropic-inbound/response";
import type { ChatCompletion } from "../../../shared/openai/types";
import { toOpenAIUsage } from "../../../shared/providers/anthropic/response";

type Message = ChatCompletion["choices"][number]["message"];

const completion = (message: Partial<Message>, finish: ChatCompletion["choices"][number]["finish_reason"] = "stop"): ChatCompletion => ({
  id: "chatcmpl-req_0123abcd",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 },
});

describe("toAnthropicMessage", () => {
  it("maps a text answer with the requested model name and a msg_ id", () => {
    expect(toAnthropicMessage(completion({ content: "Hello there." }), "my-alias")).toEqual({
      id: "msg_0123abcd",
      type: "message",
      role: "assistant",
      model: "my-alias",
      content: [{ type: "text", text: "Hello there." }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 7 },
    });
  });

  it("maps tool calls to tool_use blocks after the text, and the stop reason to tool_use", () => {
    const out = toAnthropicMessage(
      completion(
        {
          content: "Let me check.",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "function", function: { name: "noop", arguments: "" } },
          ],
        },
        "tool_calls",
      ),
      "gpt-4o-mini",
    );
    expect(out.content).toEqual([
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
      { type: "tool_use", id: "call_2", name: "noop", input: {} },
    ]);
    expect(out.stop_reason).toBe("tool_use");
  });

  it("keeps unparsable or non-object arguments under _raw", () => {
    expect(toolInput('{"city": "Par')).toEqual({ _raw: '{"city": "Par' });
    expect(toolInput("[1,2]")).toEqual({ _raw: "[1,2]" });
    expect(toolInput("  ")).toEqual({});
  });

  it("puts reasoning first as a thinking block, and a refusal as text with stop_reason refusal", () => {
    expect(toAnthropicMessage(completion({ content: "42", reasoning_content: "Think." }), "m").content).toEqual([
      { type: "thinking", thinking: "Think.", signature: "" },
      { type: "text", text: "42" },
    ]);
    const refused = toAnthropicMessage(completion({ refusal: "I can't help with that." }), "m");
    expect(refused.content).toEqual([{ type: "text", text: "I can't help with that." }]);
    expect(refused.stop_reason).toBe("refusal");
  });

  it("gives empty content and zero usage when the upstream gave neither", () => {
    const out = toAnthropicMessage({ ...completion({ content: "" }), usage: undefined }, "m");
    expect(out.content).toEqual([]);
    expect(out.usage).toEqual({ input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
  });
});

describe("stopReason", () => {
  it("maps every finish reason", () => {
    expect(stopReason("stop", false)).toBe("end_turn");
    expect(stopReason("length", false)).toBe("max_tokens");
    expect(stopReason("tool_calls", true)).toBe("tool_use");
    expect(stopReason("function_call", false)).toBe("tool_use");
    expect(stopReason("content_filter", false)).toBe("refusal");
    expect(stopReason(null, false)).toBe("end_turn");
    expect(stopReason("stop", true)).toBe("tool_use");
  });
});

describe("toAnthropicUsage", () => {
  it("is the exact inverse of the outbound adapter's accounting", () => {
    const anthropic = { input_tokens: 11, cache_read_input_tokens: 300, cache_creation_input_tokens: 42, output_tokens: 9 };
    expect(toAnthropicUsage(toOpenAIUsage(anthropic))).toEqual({
      input_tokens: 11,
      cache_creation_input_tokens: 42,
      cache_read_input_tokens: 300,
      output_tokens: 9,
    });
  });

  it("takes OpenAI's cached_tokens out of the input count", () => {
    const usage = { prompt_tokens: 1200, completion_tokens: 30, total_tokens: 1230, prompt_tokens_details: { cached_tokens: 1024 } };
    expect(toAnthropicUsage(usage)).toEqual({
      input_tokens: 176,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1024,
      output_tokens: 30,
    });
  });
});

describe("messageId", () => {
  it("strips OpenAI's and the gateway's prefixes", () => {
    expect(messageId("chatcmpl-req_ab12")).toBe("msg_ab12");
    expect(messageId("req_ab12")).toBe("msg_ab12");
    expect(messageId("chatcmpl-AbC9")).toBe("msg_AbC9");
  });
});
