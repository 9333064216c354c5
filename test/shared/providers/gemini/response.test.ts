import { describe, expect, it } from "vitest";
import { gemini } from "../../../../shared/providers/gemini";
import { finishReason, toUsage } from "../../../../shared/providers/gemini/response";
import { MalformedUpstreamResponse } from "../../../../shared/providers/malformed";
import blocked from "../../../fixtures/providers/gemini/blocked.response.json";
import chat from "../../../fixtures/providers/gemini/chat.response.json";
import toolCalls from "../../../fixtures/providers/gemini/tool-calls.response.json";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "gemini-alias" };

describe("gemini chatResponse", () => {
  it("joins text parts without the thought summary and counts cached and thinking tokens once", () => {
    expect(gemini.chatResponse(chat, meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gemini-2.5-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "AI learns patterns from data—then predicts the next ✨ step." },
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 1056, // the 1024 cached tokens are inside this count, not on top of it
        completion_tokens: 130, // 37 visible + 93 thinking
        total_tokens: 1186, // = Gemini's totalTokenCount = 1056 + 37 + 93
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 93 },
      },
    });
  });

  it("maps function calls to tool_calls with deterministic ids and the thought signature alongside", () => {
    const completion = gemini.chatResponse(toolCalls, meta);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_Kq5jaOyTN9u5nvgP7o2X4Qc_0",
              type: "function",
              function: { name: "power_disco_ball", arguments: '{"power":true}' },
              extra_content: { google: { thought_signature: "CiQB0e2Kb7cV1Tq0mO6h2G1yJbq4xq5Lr7q3dF4f3yWmYkQeZ0s=" } },
            },
            {
              id: "call_Kq5jaOyTN9u5nvgP7o2X4Qc_1",
              type: "function",
              function: { name: "start_music", arguments: '{"energetic":true,"loud":true}' },
            },
            { id: "call_Kq5jaOyTN9u5nvgP7o2X4Qc_2", type: "function", function: { name: "dim_lights", arguments: '{"brightness":0.5}' } },
          ],
        },
        finish_reason: "tool_calls",
      },
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 220,
      completion_tokens: 181,
      total_tokens: 401,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 148 },
    });
    expect(gemini.chatResponse(toolCalls, meta)).toEqual(completion);
  });

  it("answers a blocked prompt with one empty choice finished by content_filter", () => {
    expect(gemini.chatResponse(blocked, meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gemini-2.0-flash",
      choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" }],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 0,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });

  it("returns one choice per candidate, indexed by candidate.index, with logprobs when present", () => {
    const json = {
      candidates: [
        { index: 1, content: { role: "model", parts: [{ text: "B" }] }, finishReason: "MAX_TOKENS" },
        {
          index: 0,
          content: { role: "model", parts: [{ text: "A" }] },
          finishReason: "STOP",
          logprobsResult: {
            topCandidates: [
              {
                candidates: [
                  { token: "A", logProbability: -0.1 },
                  { token: "B", logProbability: -2.5 },
                ],
              },
            ],
            chosenCandidates: [{ token: "A", logProbability: -0.1 }],
          },
        },
      ],
    };
    expect(gemini.chatResponse(json, meta)).toEqual({
      id: "chatcmpl-edgeway-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gemini-alias",
      choices: [
        { index: 1, message: { role: "assistant", content: "B" }, finish_reason: "length" },
        {
          index: 0,
          message: { role: "assistant", content: "A" },
          finish_reason: "stop",
          logprobs: {
            content: [
              {
                token: "A",
                logprob: -0.1,
                bytes: [65],
                top_logprobs: [
                  { token: "A", logprob: -0.1, bytes: [65] },
                  { token: "B", logprob: -2.5, bytes: [66] },
                ],
              },
            ],
          },
        },
      ],
    });
  });

  it("rejects a body that is not a Gemini answer", () => {
    expect(() => gemini.chatResponse("nope", meta)).toThrow(MalformedUpstreamResponse);
    expect(() => gemini.chatResponse({ modelVersion: "x" }, meta)).toThrow(MalformedUpstreamResponse);
  });
});

describe("gemini finish reasons", () => {
  it.each([
    ["STOP", false, "stop"],
    ["STOP", true, "tool_calls"],
    ["MAX_TOKENS", false, "length"],
    ["MAX_TOKENS", true, "length"],
    ["SAFETY", false, "content_filter"],
    ["RECITATION", false, "content_filter"],
    ["BLOCKLIST", false, "content_filter"],
    ["PROHIBITED_CONTENT", false, "content_filter"],
    ["SPII", false, "content_filter"],
    ["IMAGE_SAFETY", false, "content_filter"],
    ["OTHER", false, "stop"],
    ["LANGUAGE", false, "stop"],
    ["MALFORMED_FUNCTION_CALL", false, "stop"],
    ["FINISH_REASON_UNSPECIFIED", false, "stop"],
    [undefined, false, null],
  ] as const)("%s (tool calls: %s) → %s", (reason, called, expected) => {
    expect(finishReason(reason, called)).toBe(expected);
  });
});

describe("gemini usage", () => {
  it("counts tool-use prompt tokens as input and sums when totalTokenCount is missing", () => {
    expect(toUsage({ promptTokenCount: 100, toolUsePromptTokenCount: 20, candidatesTokenCount: 5, thoughtsTokenCount: 7 })).toEqual({
      prompt_tokens: 120,
      completion_tokens: 12,
      total_tokens: 132,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 7 },
    });
  });
});
