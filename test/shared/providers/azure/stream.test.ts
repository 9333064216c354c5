import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../../../shared/openai/types";
import { azure } from "../../../../shared/providers/azure";
import asyncSse from "../../../fixtures/providers/azure/async-filter.stream.sse?raw";
import asyncBlockedSse from "../../../fixtures/providers/azure/async-filter-blocked.stream.sse?raw";
import chatSse from "../../../fixtures/providers/azure/chat.stream.sse?raw";
import filteredSse from "../../../fixtures/providers/azure/content-filtered.stream.sse?raw";
import { layouts, pieces, replay } from "../../../helpers/workers/sse-replay";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "gpt-4o-alias" };

/** The upstream's own events, parsed (what a plain OpenAI-compatible pass-through would forward). */
const upstreamEvents = (sse: string): ChatCompletionChunk[] =>
  sse
    .split("\n\n")
    .filter((e) => e.startsWith("data: {"))
    .map((e) => JSON.parse(e.slice("data: ".length)));

describe("azure chatStream", () => {
  it("drops the prompt-filter chunk, keeps the usage chunk, at every byte split", async () => {
    const events = upstreamEvents(chatSse);
    const expected = events.slice(1);
    expect(events[0]).toMatchObject({ choices: [], prompt_filter_results: expect.any(Array) });
    expect(expected.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 26 } });
    for (const cuts of layouts(chatSse)) {
      const { chunks, error } = await replay(pieces(chatSse, cuts), azure.chatStream(meta));
      expect(error, `cuts ${cuts}`).toBeUndefined();
      expect(chunks, `cuts ${cuts}`).toEqual(expected);
    }
    const { chunks } = await replay(pieces(chatSse, []), azure.chatStream(meta));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(
      "A private endpoint gives your resource a private IP — no public traffic ✨.",
    );
  });

  it("reports usage from the usage chunk", () => {
    const translator = azure.chatStream(meta);
    for (const ev of upstreamEvents(chatSse)) translator.event({ data: JSON.stringify(ev) });
    expect(translator.usage()).toEqual({ completion_tokens: 12, prompt_tokens: 14, total_tokens: 26 });
  });

  it("passes a content_filter finish through and ends cleanly without a usage chunk", async () => {
    const { chunks, error } = await replay(pieces(filteredSse, [301, 777]), azure.chatStream(meta));
    expect(error).toBeUndefined();
    expect(chunks).toEqual(upstreamEvents(filteredSse).slice(1));
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: "content_filter" });
  });

  it("drops asynchronous-filter annotations, which OpenAI clients cannot read", async () => {
    const events = upstreamEvents(asyncSse);
    const annotation = (c: ChatCompletionChunk) => c.id === "" && c.choices.length > 0;
    expect(events.filter(annotation)).toHaveLength(2);
    for (const cuts of layouts(asyncSse).slice(0, 12)) {
      const { chunks, error } = await replay(pieces(asyncSse, cuts), azure.chatStream(meta));
      expect(error).toBeUndefined();
      expect(chunks).toEqual(events.filter((c) => c.id !== ""));
    }
  });

  it("keeps an annotation that finishes the choice, as a chunk of the stream with an empty delta", async () => {
    const { chunks, error } = await replay(pieces(asyncBlockedSse, []), azure.chatStream(meta));
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual([null, "Step one:", null]);
    expect(chunks.at(-1)).toEqual({
      id: "chatcmpl-7rCNsVeZy0PGnX3H6jK8STps5nZUY",
      object: "chat.completion.chunk",
      created: 1692913344,
      model: "gpt-35-turbo",
      usage: null,
      choices: [
        {
          index: 0,
          delta: {},
          finish_reason: "content_filter",
          content_filter_results: { custom_blocklists: [{ filtered: true, id: "codenames" }] },
          content_filter_offsets: { check_offset: 30, start_offset: 30, end_offset: 39 },
        },
      ],
    });
  });

  it("names an annotation-only finish after the gateway when no regular chunk came before", () => {
    const translator = azure.chatStream(meta);
    const out = translator.event({
      data: '{"id":"","object":"","created":0,"model":"","choices":[{"index":0,"finish_reason":"content_filter","content_filter_results":{}}]}',
    });
    expect(out).toEqual([
      {
        id: "chatcmpl-edgeway-1",
        object: "chat.completion.chunk",
        created: 1_700_000_000,
        model: "gpt-4o-alias",
        choices: [{ index: 0, delta: {}, finish_reason: "content_filter", content_filter_results: {} }],
      },
    ]);
  });

  it("treats a stream cut before [DONE] as an upstream failure", async () => {
    const cut = chatSse.slice(0, chatSse.indexOf("data: [DONE]"));
    const { chunks, error } = await replay(pieces(cut, [1000]), azure.chatStream(meta));
    expect(chunks).toHaveLength(upstreamEvents(chatSse).length - 1);
    expect(error).toEqual({ kind: "server", status: 502, message: "The upstream stream ended before [DONE]" });
  });

  it("turns an in-stream error event into an UpstreamError", () => {
    const translator = azure.chatStream(meta);
    expect(translator.event({ data: '{"error":{"code":"content_filter","message":"The response was filtered"}}' })).toEqual({
      kind: "content_policy",
      status: 500,
      message: "The response was filtered",
    });
  });
});
