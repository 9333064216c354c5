import { describe, expect, it } from "vitest";
import { anthropic } from "../../../../shared/providers/anthropic";
import { finishReason } from "../../../../shared/providers/anthropic/response";
import { MalformedUpstreamResponse } from "../../../../shared/providers/malformed";
import chat from "../../../fixtures/providers/anthropic/chat.response.json";
import jsonMode from "../../../fixtures/providers/anthropic/json-mode.response.json";
import thinking from "../../../fixtures/providers/anthropic/thinking.response.json";
import toolUse from "../../../fixtures/providers/anthropic/tool-use.response.json";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "claude-alias" };

describe("anthropic chatResponse", () => {
  it("concatenates text blocks and counts cached tokens once", () => {
    expect(anthropic.chatResponse(chat, meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5-20250929",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi! My name is Claude. How can I help?" }, finish_reason: "stop" }],
      usage: {
        // 2095 uncached + 3072 read from cache + 2051 written to cache
        prompt_tokens: 7218,
        completion_tokens: 503,
        total_tokens: 7721,
        prompt_tokens_details: { cached_tokens: 3072, cache_creation_tokens: 2051 },
      },
    });
  });

  it("maps tool_use blocks to tool_calls with JSON arguments", () => {
    expect(anthropic.chatResponse(toolUse, meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "I'll check the current weather in San Francisco for you.",
            tool_calls: [
              {
                id: "toolu_01A09q90qw90lq917835lq9",
                type: "function",
                function: { name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 1496,
        completion_tokens: 89,
        total_tokens: 1585,
        prompt_tokens_details: { cached_tokens: 1024, cache_creation_tokens: 0 },
      },
    });
  });

  it("returns the JSON-mode tool's input as content, finishing with stop", () => {
    const completion = anthropic.chatResponse(jsonMode, meta);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: '{"elements":[{"location":"San Francisco","temperature":58,"condition":"sunny"}]}' },
        finish_reason: "stop",
      },
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 849,
      completion_tokens: 47,
      total_tokens: 896,
      prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
    });
  });

  it("keeps thinking out of content (reasoning_content), drops redacted thinking, reports reasoning tokens", () => {
    expect(anthropic.chatResponse(thinking, meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Yes, there are infinitely many prime numbers such that n mod 4 = 3.",
            reasoning_content: "To approach this, let's think about what we know about prime numbers...",
          },
          finish_reason: "length",
        },
      ],
      usage: {
        prompt_tokens: 60,
        completion_tokens: 1024,
        total_tokens: 1084,
        prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 900 },
      },
    });
  });

  it("gives null content for a tool-only answer and uses meta.model when Anthropic names none", () => {
    const completion = anthropic.chatResponse(
      { type: "message", role: "assistant", content: [{ type: "tool_use", id: "t1", name: "now", input: {} }], stop_reason: "tool_use" },
      meta,
    );
    expect(completion).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-alias",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "t1", type: "function", function: { name: "now", arguments: "{}" } }],
          },
          finish_reason: "tool_calls",
        },
      ],
    });
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["something_new", "stop"],
    [null, "stop"],
  ])("maps stop_reason %s to %s", (stop, finish) => {
    expect(finishReason(stop, true)).toBe(finish);
  });

  it("rejects a body that is not a Messages response", () => {
    expect(() => anthropic.chatResponse({ type: "error" }, meta)).toThrow(MalformedUpstreamResponse);
    expect(() => anthropic.chatResponse("nope", meta)).toThrow(MalformedUpstreamResponse);
  });
});
