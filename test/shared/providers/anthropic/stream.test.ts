import { describe, expect, it } from "vitest";
import { type SseEvent, sseParser } from "../../../../shared/openai/sse";
import type { ChatCompletionChunk, Usage } from "../../../../shared/openai/types";
import { anthropic } from "../../../../shared/providers/anthropic";
import type { UpstreamError } from "../../../../shared/providers/types";
import chatSse from "../../../fixtures/providers/anthropic/chat.stream.sse?raw";
import errorSse from "../../../fixtures/providers/anthropic/error.stream.sse?raw";
import jsonModeResponse from "../../../fixtures/providers/anthropic/json-mode.response.json";
import jsonModeSse from "../../../fixtures/providers/anthropic/json-mode.stream.sse?raw";
import toolUseResponse from "../../../fixtures/providers/anthropic/tool-use.response.json";
import toolUseSse from "../../../fixtures/providers/anthropic/tool-use.stream.sse?raw";
import truncatedSse from "../../../fixtures/providers/anthropic/truncated.stream.sse?raw";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "claude-alias" };

/** Cut sizes in bytes: 1 splits every multi-byte character, the last one sends the file whole. */
const SIZES = [1, 2, 3, 7, 13, 64, 1_000_000];

async function parse(text: string, size: number): Promise<SseEvent[]> {
  const bytes = new TextEncoder().encode(text);
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
      controller.close();
    },
  });
  const reader = source.pipeThrough(sseParser()).getReader();
  const events: SseEvent[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) events.push(r.value);
  return events;
}

type Outcome = { chunks: ChatCompletionChunk[]; error?: UpstreamError; usage?: Usage };

function translate(events: SseEvent[]): Outcome {
  const translator = anthropic.chatStream(meta);
  const chunks: ChatCompletionChunk[] = [];
  for (const ev of events) {
    const out = translator.event(ev);
    if (!Array.isArray(out)) return { chunks, error: out, usage: translator.usage() };
    chunks.push(...out);
  }
  const end = translator.end();
  if (!Array.isArray(end)) return { chunks, error: end, usage: translator.usage() };
  return { chunks: [...chunks, ...end], usage: translator.usage() };
}

const replay = async (text: string, size: number) => translate(await parse(text, size));

/** What a client rebuilds from the chunks. */
function assemble(chunks: ChatCompletionChunk[]) {
  let content = "";
  let finish: string | null = null;
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  for (const choice of chunks.flatMap((c) => c.choices)) {
    content += choice.delta.content ?? "";
    for (const tc of choice.delta.tool_calls ?? []) {
      calls[tc.index] ??= { id: "", name: "", arguments: "" };
      const call = calls[tc.index];
      if (!call) continue;
      call.id += tc.id ?? "";
      call.name += tc.function?.name ?? "";
      call.arguments += tc.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  return { content, finish, calls };
}

const head = (model = "claude-sonnet-4-5-20250929") => ({
  id: meta.id,
  object: "chat.completion.chunk" as const,
  created: meta.created,
  model,
});
const chunk = (
  delta: ChatCompletionChunk["choices"][number]["delta"],
  finish: ChatCompletionChunk["choices"][number]["finish_reason"] = null,
) => ({
  ...head(),
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe("anthropic chatStream", () => {
  it.each(SIZES)("translates a text stream cut every %i bytes into the exact chunks", async (size) => {
    expect(await replay(chatSse, size)).toEqual({
      chunks: [
        chunk({ role: "assistant", content: "" }),
        chunk({ content: "Hello" }),
        chunk({ content: "! It is 21 °C in Zürich 🌤" }),
        chunk({}, "stop"),
        {
          ...head(),
          choices: [],
          usage: {
            prompt_tokens: 25,
            completion_tokens: 15,
            total_tokens: 40,
            prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
          },
        },
      ],
      usage: {
        prompt_tokens: 25,
        completion_tokens: 15,
        total_tokens: 40,
        prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
      },
    });
  });

  it.each(SIZES)("translates a tool_use stream cut every %i bytes into the exact chunks", async (size) => {
    const usage = {
      prompt_tokens: 1496,
      completion_tokens: 89,
      total_tokens: 1585,
      prompt_tokens_details: { cached_tokens: 1024, cache_creation_tokens: 0 },
    };
    expect(await replay(toolUseSse, size)).toEqual({
      chunks: [
        chunk({ role: "assistant", content: "" }),
        chunk({ content: "I'll check the current weather" }),
        chunk({ content: " in San Francisco for you." }),
        chunk({
          tool_calls: [
            { index: 0, id: "toolu_01A09q90qw90lq917835lq9", type: "function", function: { name: "get_weather", arguments: "" } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location": "San Fra' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ncisco, CA", "unit": "celsius"}' } }] }),
        chunk({}, "tool_calls"),
        { ...head(), choices: [], usage },
      ],
      usage,
    });
  });

  it("reassembles to what the non-streamed response says", async () => {
    const streamed = assemble((await replay(toolUseSse, 5)).chunks);
    const message = anthropic.chatResponse(toolUseResponse, meta).choices[0]?.message;
    expect(streamed.content).toBe(message?.content);
    expect(streamed.finish).toBe("tool_calls");
    expect(streamed.calls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) }))).toEqual(
      message?.tool_calls?.map((c) => ({ id: c.id, name: c.function.name, arguments: JSON.parse(c.function.arguments) })),
    );
  });

  it("streams the JSON-mode tool's input as content and finishes with stop", async () => {
    const { chunks, usage } = await replay(jsonModeSse, 11);
    const streamed = assemble(chunks);
    const completion = anthropic.chatResponse(jsonModeResponse, meta);
    expect(streamed.calls).toEqual([]);
    expect(streamed.finish).toBe("stop");
    expect(JSON.parse(streamed.content)).toEqual(JSON.parse(completion.choices[0]?.message.content ?? ""));
    expect(chunks.every((c) => c.model === "claude-haiku-4-5-20251001")).toBe(true);
    expect(usage).toEqual(completion.usage);
  });

  it.each(SIZES)("reports a stream cut before message_stop (every %i bytes) as an upstream error", async (size) => {
    const { chunks, error, usage } = await replay(truncatedSse, size);
    expect(error).toEqual({ kind: "server", status: 502, message: "The Anthropic stream ended before message_stop" });
    expect(assemble(chunks).calls).toEqual([
      { id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"location": "San Francisco, CA", "unit": "celsius"}' },
    ]);
    expect(usage).toEqual({
      prompt_tokens: 1496,
      completion_tokens: 2,
      total_tokens: 1498,
      prompt_tokens_details: { cached_tokens: 1024, cache_creation_tokens: 0 },
    });
  });

  it("turns an error event into an UpstreamError classified like HTTP errors", async () => {
    const { chunks, error } = await replay(errorSse, 9);
    expect(chunks).toEqual([chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" })]);
    expect(error).toEqual({ kind: "overloaded", status: 529, message: "Overloaded" });
  });

  it("streams thinking as reasoning_content and takes updated input counts from message_delta", () => {
    const ev = (data: unknown): SseEvent => ({ event: (data as { type: string }).type, data: JSON.stringify(data) });
    const { chunks, usage } = translate([
      ev({
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          content: [],
          model: "claude-opus-4-1",
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      }),
      ev({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } }),
      ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Let me think." } }),
      ev({
        type: "content_block_delta",
        index: 0,
        delta: { type: "signature_delta", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..." },
      }),
      ev({ type: "content_block_stop", index: 0 }),
      ev({ type: "content_block_start", index: 1, content_block: { type: "text", text: "" } }),
      ev({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "42" } }),
      ev({ type: "content_block_stop", index: 1 }),
      ev({
        type: "message_delta",
        delta: { stop_reason: "max_tokens", stop_sequence: null },
        usage: {
          input_tokens: 12,
          cache_read_input_tokens: 5,
          cache_creation_input_tokens: null,
          output_tokens: 30,
          output_tokens_details: { thinking_tokens: 20 },
        },
      }),
      ev({ type: "message_stop" }),
    ]);
    const opus = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: "length" | null = null) => ({
      ...head("claude-opus-4-1"),
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const expected = {
      prompt_tokens: 17,
      completion_tokens: 30,
      total_tokens: 47,
      prompt_tokens_details: { cached_tokens: 5, cache_creation_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 20 },
    };
    expect(chunks).toEqual([
      opus({ role: "assistant", content: "" }),
      opus({ reasoning_content: "Let me think." }),
      opus({ content: "42" }),
      opus({}, "length"),
      { ...head("claude-opus-4-1"), choices: [], usage: expected },
    ]);
    expect(usage).toEqual(expected);
  });

  it("rejects an event whose data is not JSON, and has no usage before message_start", () => {
    const translator = anthropic.chatStream(meta);
    expect(translator.usage()).toBeUndefined();
    expect(translator.event({ event: "ping", data: "{}" })).toEqual([]);
    expect(translator.event({ event: "content_block_delta", data: "{not json" })).toEqual({
      kind: "server",
      status: 502,
      message: "Anthropic sent a stream event that is not JSON",
    });
  });
});
