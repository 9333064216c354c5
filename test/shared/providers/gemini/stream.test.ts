import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../../../shared/openai/types";
import { gemini } from "../../../../shared/providers/gemini";
import blocked from "../../../fixtures/providers/gemini/blocked.response.json";
import chatJson from "../../../fixtures/providers/gemini/chat.response.json";
import chatSse from "../../../fixtures/providers/gemini/chat.stream.sse?raw";
import errorSse from "../../../fixtures/providers/gemini/error.stream.sse?raw";
import toolCallsJson from "../../../fixtures/providers/gemini/tool-calls.response.json";
import toolCallsSse from "../../../fixtures/providers/gemini/tool-calls.stream.sse?raw";
import truncatedSse from "../../../fixtures/providers/gemini/truncated.stream.sse?raw";
import { layouts, pieces, replay } from "../../../helpers/workers/sse-replay";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "gemini-alias" };
const head = { id: "chatcmpl-edgeway-1", object: "chat.completion.chunk", created: 1_700_000_000 } as const;

const contentOf = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

describe("gemini chatStream", () => {
  const chatChunks: ChatCompletionChunk[] = [
    { ...head, model: "gemini-2.5-flash", choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }] },
    {
      ...head,
      model: "gemini-2.5-flash",
      choices: [{ index: 0, delta: { content: "AI learns patterns from data—then predicts" }, finish_reason: null }],
    },
    { ...head, model: "gemini-2.5-flash", choices: [{ index: 0, delta: { content: " the next ✨ step." }, finish_reason: "stop" }] },
    {
      ...head,
      model: "gemini-2.5-flash",
      choices: [],
      usage: {
        prompt_tokens: 1056,
        completion_tokens: 130,
        total_tokens: 1186,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 93 },
      },
    },
  ];

  it("gives the same chunks at every byte split, adding up to the non-streamed answer", async () => {
    const expected = gemini.chatResponse(chatJson, meta);
    for (const cuts of layouts(chatSse)) {
      const { chunks, error } = await replay(pieces(chatSse, cuts), gemini.chatStream(meta));
      expect(error, `cuts ${cuts}`).toBeUndefined();
      expect(chunks, `cuts ${cuts}`).toEqual(chatChunks);
    }
    expect(contentOf(chatChunks)).toBe(expected.choices[0]?.message.content);
    expect(chatChunks.at(-1)?.usage).toEqual(expected.usage);
  });

  it("emits each whole function call as one indexed tool_calls delta", async () => {
    const { chunks, error } = await replay(pieces(toolCallsSse, [137, 600]), gemini.chatStream(meta));
    expect(error).toBeUndefined();
    const call = (n: number, name: string, args: string) => ({
      index: n,
      id: `call_Kq5jaOyTN9u5nvgP7o2X4Qc_${n}`,
      type: "function",
      function: { name, arguments: args },
    });
    expect(chunks.map((c) => c.choices[0] ?? null)).toEqual([
      {
        index: 0,
        delta: {
          role: "assistant",
          tool_calls: [
            {
              ...call(0, "power_disco_ball", '{"power":true}'),
              extra_content: { google: { thought_signature: "CiQB0e2Kb7cV1Tq0mO6h2G1yJbq4xq5Lr7q3dF4f3yWmYkQeZ0s=" } },
            },
          ],
        },
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [call(1, "start_music", '{"energetic":true,"loud":true}'), call(2, "dim_lights", '{"brightness":0.5}')] },
        finish_reason: "tool_calls",
      },
      null,
    ]);
    const streamed = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map(({ index: _, ...rest }) => rest);
    expect(streamed).toEqual(gemini.chatResponse(toolCallsJson, meta).choices[0]?.message.tool_calls);
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(401);
  });

  it("treats a stream cut before any finishReason as an upstream failure", async () => {
    for (const cuts of layouts(truncatedSse).slice(0, 10)) {
      const { chunks, error } = await replay(pieces(truncatedSse, cuts), gemini.chatStream(meta));
      expect(chunks).toEqual(chatChunks.slice(0, 2));
      expect(error).toMatchObject({ kind: "server", status: 502 });
    }
    const translator = gemini.chatStream(meta);
    for (const data of truncatedSse.split("\r\n\r\n").slice(0, 2)) translator.event({ data: data.slice("data: ".length) });
    expect(translator.end()).toEqual({ kind: "server", status: 502, message: "The Gemini stream ended before a finish reason" });
    expect(gemini.chatStream(meta).end()).toMatchObject({ kind: "server" });
  });

  it("turns an in-stream error event into an UpstreamError", async () => {
    const { chunks, error } = await replay(pieces(errorSse, []), gemini.chatStream(meta));
    expect(chunks).toEqual([
      {
        ...head,
        model: "gemini-2.5-flash",
        choices: [{ index: 0, delta: { role: "assistant", content: "Once upon a time" }, finish_reason: null }],
      },
    ]);
    expect(error).toEqual({ kind: "overloaded", status: 503, message: "The model is overloaded. Please try again later." });
  });

  it("rejects an event that is not JSON", () => {
    expect(gemini.chatStream(meta).event({ data: "{not json" })).toEqual({
      kind: "server",
      status: 502,
      message: "Gemini sent a stream event that is not JSON",
    });
  });

  it("finishes a blocked prompt with content_filter", () => {
    const translator = gemini.chatStream(meta);
    expect(translator.event({ data: JSON.stringify(blocked) })).toEqual([
      {
        ...head,
        model: "gemini-2.0-flash",
        choices: [{ index: 0, delta: { role: "assistant", content: null }, finish_reason: "content_filter" }],
      },
    ]);
    expect(translator.end()).toEqual([
      {
        ...head,
        model: "gemini-2.0-flash",
        choices: [],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 0,
          total_tokens: 12,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
    ]);
  });

  it("keeps candidates apart and is complete only when every candidate has finished", () => {
    const translator = gemini.chatStream(meta);
    const event = (candidates: unknown[]) => translator.event({ data: JSON.stringify({ candidates }) });
    const text = (index: number, t: string, finishReason?: string) => ({
      index,
      content: { role: "model", parts: [{ text: t }] },
      ...(finishReason ? { finishReason } : {}),
    });
    expect(event([text(0, "A"), text(1, "B")])).toEqual([
      { ...head, model: "gemini-alias", choices: [{ index: 0, delta: { role: "assistant", content: "A" }, finish_reason: null }] },
      { ...head, model: "gemini-alias", choices: [{ index: 1, delta: { role: "assistant", content: "B" }, finish_reason: null }] },
    ]);
    expect(event([text(0, "a", "STOP")])).toEqual([
      { ...head, model: "gemini-alias", choices: [{ index: 0, delta: { content: "a" }, finish_reason: "stop" }] },
    ]);
    expect(translator.end()).toMatchObject({ kind: "server" });
    expect(event([text(1, "b", "MAX_TOKENS")])).toEqual([
      { ...head, model: "gemini-alias", choices: [{ index: 1, delta: { content: "b" }, finish_reason: "length" }] },
    ]);
    expect(event([text(1, "", "MAX_TOKENS")])).toEqual([]);
    expect(translator.usage()).toBeUndefined();
    expect(translator.end()).toEqual([]);
  });
});
