import { describe, expect, it } from "vitest";
import { type CacheEntry, entryFromCompletion, isCacheEntry, MAX_ENTRY_BYTES, recordChunks } from "../../../shared/cache/entry";
import { chunksFromEntry, completionFromEntry, replayStream } from "../../../shared/cache/replay";
import { openAIStreamEncoder } from "../../../shared/chat/stream-encoder";
import { sseParser } from "../../../shared/openai/sse";
import type { ChatCompletion, ChatCompletionChunk } from "../../../shared/openai/types";

type Choice = ChatCompletionChunk["choices"][number];
const META = { id: "chatcmpl-replay", created: 1_800_000_000, model: "my-alias" };
const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };

const chunk = (choices: Choice[], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  id: "chatcmpl-up",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "gpt-4o-mini-2024-07-18",
  system_fingerprint: "fp_1",
  choices,
  ...extra,
});
const delta = (d: Choice["delta"], finish: Choice["finish_reason"] = null, index = 0): Choice => ({
  index,
  delta: d,
  finish_reason: finish,
  logprobs: null,
});

/** What OpenAI streams for a text answer with include_usage. */
const textStream = (): ChatCompletionChunk[] => [
  chunk([delta({ role: "assistant", content: "", refusal: null })], { usage: null }),
  ...["Paris", " is", " the", " capital", "."].map((t) => chunk([delta({ content: t })], { usage: null })),
  chunk([delta({}, "stop")], { usage: null }),
  chunk([], { usage }),
];

/** What OpenAI streams for two parallel tool calls. */
const toolStream = (): ChatCompletionChunk[] => [
  chunk([
    delta({
      role: "assistant",
      content: null,
      tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } }],
    }),
  ]),
  chunk([delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })]),
  chunk([delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })]),
  chunk([delta({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "time", arguments: '{"tz":"CET"}' } }] })]),
  chunk([delta({}, "tool_calls")]),
  chunk([], { usage }),
];

const record = (chunks: ChatCompletionChunk[]) => {
  const rec = recordChunks();
  for (const c of chunks) rec.add(c);
  return rec.finish();
};

/** Reassembles chunks the way a client SDK does (content and arguments concatenated). */
function clientView(chunks: ChatCompletionChunk[]) {
  const choices = new Map<
    number,
    { content: string; calls: Record<number, { id?: string; name?: string; args: string }>; finish: string | null }
  >();
  let seenUsage: unknown;
  for (const c of chunks) {
    if (c.usage) seenUsage = c.usage;
    for (const ch of c.choices) {
      const s = choices.get(ch.index) ?? { content: "", calls: {}, finish: null };
      s.content += ch.delta.content ?? "";
      for (const t of ch.delta.tool_calls ?? []) {
        const call = s.calls[t.index] ?? { args: "" };
        call.id ??= t.id;
        call.name ??= t.function?.name;
        call.args += t.function?.arguments ?? "";
        s.calls[t.index] = call;
      }
      if (ch.finish_reason) s.finish = ch.finish_reason;
      choices.set(ch.index, s);
    }
  }
  return { choices: [...choices.entries()].sort(([a], [b]) => a - b), usage: seenUsage };
}

const completion = (): ChatCompletion => ({
  id: "chatcmpl-json",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini-2024-07-18",
  system_fingerprint: "fp_1",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [{ id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }],
      },
      finish_reason: "tool_calls",
      logprobs: null,
    },
    { index: 1, message: { role: "assistant", content: "It is sunny.", refusal: null }, finish_reason: "stop", logprobs: null },
  ],
  usage: { ...usage, prompt_tokens_details: { cached_tokens: 0 } },
});

describe("stream → entry → JSON", () => {
  it("a JSON request hitting a streamed text entry gets the same content, finish reason and usage", () => {
    const entry = record(textStream());
    expect(entry).not.toBeNull();
    const json = completionFromEntry(entry as CacheEntry, META);
    expect(json).toEqual({
      id: META.id,
      object: "chat.completion",
      created: META.created,
      model: META.model,
      system_fingerprint: "fp_1",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Paris is the capital.", refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage,
    });
  });

  it("reassembles tool calls by index, arguments concatenated", () => {
    const json = completionFromEntry(record(toolStream()) as CacheEntry, META);
    expect(json.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
          { id: "call_b", type: "function", function: { name: "time", arguments: '{"tz":"CET"}' } },
        ],
      },
    });
    expect(json.usage).toEqual(usage);
  });

  it("coalesces pure text deltas, so entries stay small and the replay says the same", () => {
    const entry = record(textStream()) as CacheEntry;
    expect(entry.chunks.length).toBeLessThan(textStream().length - 1);
    expect(clientView(chunksFromEntry(entry, META, { includeUsage: true }))).toEqual(clientView(textStream()));
  });
});

describe("JSON → entry → stream", () => {
  it("a streaming request hitting a JSON entry gets the same content, tool calls, finish reasons and usage", () => {
    const entry = entryFromCompletion(completion());
    const chunks = chunksFromEntry(entry, META, { includeUsage: true });
    const view = clientView(chunks);
    expect(view.choices).toEqual([
      [0, { content: "", calls: { 0: { id: "call_a", name: "weather", args: '{"city":"Paris"}' } }, finish: "tool_calls" }],
      [1, { content: "It is sunny.", calls: {}, finish: "stop" }],
    ]);
    expect(view.usage).toEqual(completion().usage);
  });

  it("stamps every chunk with the fresh id, created and model; usage only when asked", () => {
    const entry = entryFromCompletion(completion());
    const withUsage = chunksFromEntry(entry, META, { includeUsage: true });
    for (const c of withUsage)
      expect(c).toMatchObject({ id: META.id, created: META.created, model: META.model, object: "chat.completion.chunk" });
    expect(withUsage.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: completion().usage });
    const without = chunksFromEntry(entry, META);
    expect(without.every((c) => !("usage" in c) && c.choices.length > 0)).toBe(true);
  });

  it("round-trips: JSON → entry → chunks → recorder → JSON is the original", () => {
    const original = completion();
    const replayed = chunksFromEntry(entryFromCompletion(original), META, { includeUsage: true });
    const again = completionFromEntry(record(replayed) as CacheEntry, {
      id: original.id,
      created: original.created,
      model: original.model,
    });
    expect(again).toEqual(original);
  });

  it("keeps logprobs and vendor message fields", () => {
    const original = completion();
    original.choices = [
      {
        index: 0,
        message: { role: "assistant", content: "Hi", refusal: null, reasoning_content: "think" },
        finish_reason: "stop",
        logprobs: { content: [{ token: "Hi", logprob: -0.1 }], refusal: null },
      },
    ];
    const back = completionFromEntry(entryFromCompletion(original), { id: original.id, created: original.created, model: original.model });
    expect(back).toEqual(original);
  });
});

describe("recordChunks", () => {
  it("gives up above the size limit and then stores nothing", () => {
    const rec = recordChunks({ maxBytes: 2000 });
    rec.add(chunk([delta({ role: "assistant", content: "" })]));
    for (let i = 0; i < 50; i++) rec.add(chunk([delta({ content: "x".repeat(100) }, null, i % 2)]));
    rec.add(chunk([delta({}, "stop")]));
    expect(rec.gaveUp).toBe(true);
    expect(rec.finish()).toBeNull();
    expect(MAX_ENTRY_BYTES).toBeGreaterThan(100_000);
  });

  it("refuses a stream that never finished (truncated) or had no choices", () => {
    expect(record(textStream().filter((c) => !c.choices.some((ch) => ch.finish_reason)))).toBeNull();
    expect(record([chunk([], { usage })])).toBeNull();
    expect(record([])).toBeNull();
  });

  it("needs a finish reason for every choice (n > 1)", () => {
    const two = [chunk([delta({ content: "a" }, null, 0), delta({ content: "b" }, null, 1)]), chunk([delta({}, "stop", 0)])];
    expect(record(two)).toBeNull();
    const entry = record([...two, chunk([delta({}, "length", 1)])]) as CacheEntry;
    expect(completionFromEntry(entry, META).choices.map((c) => [c.message.content, c.finish_reason])).toEqual([
      ["a", "stop"],
      ["b", "length"],
    ]);
  });

  it("does not alias the chunks it was given", () => {
    const chunks = textStream();
    const entry = record(chunks) as CacheEntry;
    ((chunks[1] as ChatCompletionChunk).choices[0] as Choice).delta.content = "CHANGED";
    expect(completionFromEntry(entry, META).choices[0]?.message.content).toBe("Paris is the capital.");
  });
});

describe("isCacheEntry", () => {
  it("accepts entries and rejects other JSON", () => {
    expect(isCacheEntry(entryFromCompletion(completion()))).toBe(true);
    for (const bad of [null, 1, "x", {}, { v: 2, model: "m", created: 1, chunks: [] }, { v: 1, model: "m", created: 1, chunks: [[{}]] }]) {
      expect(isCacheEntry(bad)).toBe(false);
    }
  });
});

describe("replayStream", () => {
  it("encodes chunks as OpenAI SSE and ends with [DONE]", async () => {
    const chunks = chunksFromEntry(record(textStream()) as CacheEntry, META, { includeUsage: true });
    const events: string[] = [];
    const reader = replayStream(chunks, openAIStreamEncoder()).pipeThrough(sseParser()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      events.push(value.data);
    }
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.slice(0, -1).map((e) => JSON.parse(e))).toEqual(chunks);
  });
});
