import type { StreamEncoder } from "../chat/stream-encoder";
import type { ChatCompletion, ChatCompletionChunk, FinishReason, ToolCall } from "../openai/types";
import type { CacheEntry } from "./entry";

/** What a response built from an entry is stamped with: fresh id and time, the model name shown. */
export type ReplayMeta = { id: string; created: number; model: string };

type Assembled = {
  fields: Record<string, unknown>;
  calls: Map<number, ToolCall>;
  finish: FinishReason | null;
  logprobs?: { content: unknown[] | null; refusal: unknown[] | null } | null;
};

const DELTA_SPECIAL = new Set(["role", "tool_calls"]);

/** Concatenates string deltas, keeps null only while nothing else arrived, else the last value wins. */
function accumulate(fields: Record<string, unknown>, key: string, value: unknown): void {
  const prev = fields[key];
  if (typeof value === "string") fields[key] = typeof prev === "string" ? prev + value : value;
  else if (value === null) fields[key] = prev ?? null;
  else if (value !== undefined) fields[key] = value;
}

function assemble(entry: CacheEntry): Map<number, Assembled> {
  const byIndex = new Map<number, Assembled>();
  for (const choices of entry.chunks) {
    for (const c of choices) {
      const a: Assembled = byIndex.get(c.index) ?? { fields: {}, calls: new Map(), finish: null };
      byIndex.set(c.index, a);
      for (const [key, value] of Object.entries(c.delta)) if (!DELTA_SPECIAL.has(key)) accumulate(a.fields, key, value);
      for (const d of c.delta.tool_calls ?? []) {
        const call = a.calls.get(d.index) ?? { id: "", type: "function" as const, function: { name: "", arguments: "" } };
        if (d.id && !call.id) call.id = d.id;
        if (d.function?.name && !call.function.name) call.function.name = d.function.name;
        call.function.arguments += d.function?.arguments ?? "";
        a.calls.set(d.index, call);
      }
      if (c.finish_reason) a.finish = c.finish_reason;
      if (c.logprobs === null) a.logprobs ??= null;
      if (c.logprobs) {
        a.logprobs ??= { content: null, refusal: null };
        if (c.logprobs.content) a.logprobs.content = [...(a.logprobs.content ?? []), ...c.logprobs.content];
        if (c.logprobs.refusal) a.logprobs.refusal = [...(a.logprobs.refusal ?? []), ...c.logprobs.refusal];
      }
    }
  }
  return byIndex;
}

/**
 * The entry as a JSON completion: per choice the reassembled content (string deltas concatenated),
 * tool calls (arguments concatenated by tool-call index), the message's other fields, finish reason
 * and logprobs; the stored usage; a fresh id/created and the model name from `meta`.
 * @example return c.json(completionFromEntry(entry, { id: requestId, created: now, model: body.model }))
 */
export function completionFromEntry(entry: CacheEntry, meta: ReplayMeta): ChatCompletion {
  const choices = [...assemble(entry).entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, a]) => {
      const { content = null, ...rest } = a.fields;
      const message: ChatCompletion["choices"][number]["message"] = { role: "assistant", content: content as string | null, ...rest };
      if (a.calls.size) message.tool_calls = [...a.calls.entries()].sort(([x], [y]) => x - y).map(([, call]) => call);
      return { index, message, finish_reason: a.finish, ...(a.logprobs !== undefined ? { logprobs: a.logprobs } : {}) };
    });
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    ...(entry.systemFingerprint !== undefined ? { system_fingerprint: entry.systemFingerprint } : {}),
    choices,
    ...(entry.usage ? { usage: structuredClone(entry.usage) } : {}),
  };
}

export type ChunkReplayOptions = {
  /** The client asked for `stream_options.include_usage`: `usage: null` on every chunk, then a usage chunk. */
  includeUsage?: boolean;
};

/**
 * The entry as the chunks of a stream, in the original order, stamped with `meta`. With
 * `includeUsage`, ends with OpenAI's usage chunk (`choices: []`) when the entry has usage.
 * @example const chunks = chunksFromEntry(entry, meta, { includeUsage: body.stream_options?.include_usage === true });
 */
export function chunksFromEntry(entry: CacheEntry, meta: ReplayMeta, opts: ChunkReplayOptions = {}): ChatCompletionChunk[] {
  const base = {
    id: meta.id,
    object: "chat.completion.chunk" as const,
    created: meta.created,
    model: meta.model,
    ...(entry.systemFingerprint !== undefined ? { system_fingerprint: entry.systemFingerprint } : {}),
  };
  const out: ChatCompletionChunk[] = entry.chunks.map((choices) => ({
    ...base,
    choices: structuredClone(choices),
    ...(opts.includeUsage ? { usage: null } : {}),
  }));
  if (opts.includeUsage && entry.usage) out.push({ ...base, choices: [], usage: structuredClone(entry.usage) });
  return out;
}

/**
 * Chunks → the client's wire format through the same encoder as a live relay (`data: …` events, then
 * `data: [DONE]` for OpenAI's SSE).
 * @example return new Response(replayStream(chunks, openAIStreamEncoder()), { headers: SSE_HEADERS })
 */
export function replayStream(chunks: ChatCompletionChunk[], encoder: StreamEncoder): ReadableStream<Uint8Array> {
  // all of it is at hand: one write
  const bytes = new TextEncoder().encode(chunks.map((c) => encoder.chunk(c)).join("") + encoder.done());
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
