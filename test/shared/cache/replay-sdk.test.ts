import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { type CacheEntry, entryFromCompletion, recordChunks } from "../../../shared/cache/entry";
import { chunksFromEntry, completionFromEntry, replayStream } from "../../../shared/cache/replay";
import { openAIStreamEncoder } from "../../../shared/chat/stream-encoder";
import type { ChatCompletion, ChatCompletionChunk } from "../../../shared/openai/types";

const META = { id: "chatcmpl-replay", created: 1_800_000_000, model: "gpt-4o-mini" };

/** The official SDK, answered by a replayed stream (or JSON) instead of the network. */
function sdkServing(body: () => Response): OpenAI {
  return new OpenAI({ apiKey: "test", baseURL: "http://cache.invalid/v1", maxRetries: 0, fetch: async () => body() });
}
const sse = (chunks: ChatCompletionChunk[]) => () =>
  new Response(replayStream(chunks, openAIStreamEncoder()), { headers: { "content-type": "text/event-stream" } });

const original: ChatCompletion = {
  id: "chatcmpl-up",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini-2024-07-18",
  system_fingerprint: "fp_1",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "Checking both.",
        refusal: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "call_b", type: "function", function: { name: "time", arguments: '{"tz":"CET"}' } },
        ],
      },
      finish_reason: "tool_calls",
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 30, completion_tokens: 20, total_tokens: 50 },
};
const request = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "weather and time in Paris?" }] };

describe("a replayed entry through the official OpenAI SDK", () => {
  it("parses as a stream (chunk shapes, [DONE]) and the SDK's accumulator rebuilds the original answer", async () => {
    const chunks = chunksFromEntry(entryFromCompletion(original), META, { includeUsage: true });
    const client = sdkServing(sse(chunks));
    const seen: unknown[] = [];
    for await (const c of await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }))
      seen.push(c);
    expect(seen).toEqual(chunks);

    const runner = sdkServing(sse(chunks)).chat.completions.stream({ ...request, stream_options: { include_usage: true } });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("Checking both.");
    expect(final.choices[0]?.message.tool_calls).toEqual(original.choices[0]?.message.tool_calls);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(final.usage).toEqual(original.usage);
  });

  it("a JSON client hitting a streamed entry gets what the SDK would have assembled from the stream", async () => {
    const streamed = chunksFromEntry(entryFromCompletion(original), { ...META, id: "chatcmpl-up" }, { includeUsage: true });
    const rec = recordChunks();
    for (const c of streamed) rec.add(c);
    const json = completionFromEntry(rec.finish() as CacheEntry, META);
    const fromJson = await sdkServing(() => Response.json(json)).chat.completions.create(request);
    const fromStream = await sdkServing(sse(streamed)).chat.completions.stream(request).finalChatCompletion();
    expect(fromJson.choices[0]?.message.content).toBe(fromStream.choices[0]?.message.content);
    expect(fromJson.choices[0]?.message.tool_calls).toEqual(fromStream.choices[0]?.message.tool_calls);
    expect(fromJson.choices[0]?.finish_reason).toBe(fromStream.choices[0]?.finish_reason);
    expect(fromJson.usage).toEqual(fromStream.usage);
  });
});
