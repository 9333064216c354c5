import type { ChatCompletion, ChatCompletionChunk, Usage } from "../openai/types";

/** One choice of one chunk, as stored (the chunk's id/created/model are stamped again on replay). */
export type StoredChoice = ChatCompletionChunk["choices"][number];

/**
 * A cached answer. The canonical form is the stream: the chunks' choices in order, plus the final
 * usage and the answering model, so one entry serves JSON and streaming clients alike.
 */
export type CacheEntry = {
  v: 1;
  /** The model that answered, as the upstream named it. */
  model: string;
  /** Unix seconds of the original answer. */
  created: number;
  systemFingerprint?: string | null;
  /** `choices` of every chunk that had any, in order. */
  chunks: StoredChoice[][];
  usage?: Usage;
};

/** Recording gives up above this many characters of stored JSON (about bytes for ASCII text). */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** Adjacent pure-text deltas of one choice are merged into chunks of at most this many characters. */
export const COALESCE_MAX_CHARS = 512;

/** Accumulates a relayed stream into an entry. */
export interface ChunkRecorder {
  /** One chunk as the translator produced it (before usage is stripped for the client). */
  add(chunk: ChatCompletionChunk): void;
  /**
   * The entry, or null when the answer must not be cached: recording gave up (too large), or some
   * choice never got a finish reason (a truncated stream). Call only after a clean end.
   */
  finish(): CacheEntry | null;
  /** True once the size limit was passed; further chunks are ignored. */
  readonly gaveUp: boolean;
}

export type RecordOptions = {
  /** @default MAX_ENTRY_BYTES */
  maxBytes?: number;
};

const CHOICE_KEYS = new Set(["index", "delta", "finish_reason", "logprobs"]);

/** A choice that only adds text: `{index, delta: {content}, finish_reason: null[, logprobs: null]}` (checked without allocating). */
function isPlainText(c: StoredChoice | undefined): c is StoredChoice & { delta: { content: string } } {
  if (c === undefined || c.finish_reason !== null || (c.logprobs !== undefined && c.logprobs !== null)) return false;
  if (typeof c.delta.content !== "string") return false;
  for (const k in c.delta) if (k !== "content") return false;
  for (const k in c) if (!CHOICE_KEYS.has(k)) return false;
  return true;
}

/**
 * A recorder for one streamed response. Feed it every chunk the provider translator emits (usage
 * chunks included) and call `finish()` when the stream ended cleanly; drop it on error or cancel.
 * @example
 * const rec = recordChunks();
 * for (const chunk of chunks) rec.add(chunk);
 * const entry = outcome.error || outcome.cancelled ? null : rec.finish();
 */
export function recordChunks(opts: RecordOptions = {}): ChunkRecorder {
  const maxBytes = opts.maxBytes ?? MAX_ENTRY_BYTES;
  const chunks: StoredChoice[][] = [];
  const finished = new Map<number, boolean>();
  let bytes = 0;
  let gaveUp = false;
  let head: Pick<ChatCompletionChunk, "model" | "created" | "system_fingerprint"> | undefined;
  let usage: Usage | undefined;

  /** Appends a plain text delta to the previous stored chunk when that is plain text of the same choice, within the size cap. */
  const appendText = (b: StoredChoice | undefined): boolean => {
    const prev = chunks[chunks.length - 1];
    const a = prev?.[0];
    if (prev?.length !== 1 || !isPlainText(a) || !isPlainText(b) || a.index !== b.index) return false;
    if (a.delta.content.length + b.delta.content.length > COALESCE_MAX_CHARS) return false;
    a.delta.content += b.delta.content;
    count(b.delta.content.length);
    return true;
  };

  /** Adds to the stored size; past the cap, recording gives up and drops what it had. */
  const count = (n: number) => {
    bytes += n;
    if (bytes > maxBytes) {
      gaveUp = true;
      chunks.length = 0;
    }
  };

  return {
    get gaveUp() {
      return gaveUp;
    },
    add(chunk) {
      if (gaveUp) return;
      head ??= { model: chunk.model, created: chunk.created, system_fingerprint: chunk.system_fingerprint };
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices.length === 0) return;
      // most chunks of a stream: more text for the choice already open, appended without a copy
      if (chunk.choices.length === 1 && appendText(chunk.choices[0])) return;
      const choices = structuredClone(chunk.choices);
      for (const c of choices) {
        if (!finished.has(c.index)) finished.set(c.index, false);
        if (c.finish_reason) finished.set(c.index, true);
      }
      chunks.push(choices);
      count(JSON.stringify(choices).length);
    },
    finish() {
      if (gaveUp || !head || finished.size === 0 || [...finished.values()].some((done) => !done)) return null;
      return {
        v: 1,
        model: head.model,
        created: head.created,
        ...(head.system_fingerprint !== undefined ? { systemFingerprint: head.system_fingerprint } : {}),
        chunks,
        ...(usage ? { usage } : {}),
      };
    },
  };
}

const MESSAGE_KEYS = new Set(["role", "content", "tool_calls"]);

/**
 * A JSON completion in the entry's chunk form, the way OpenAI would have streamed it: per choice a
 * first delta (role, content and the message's other fields, logprobs), one delta per tool call,
 * then an empty delta with the finish reason. The entry shares the completion's nested values
 * (logprobs, usage, message extras) rather than copying them: it is a snapshot to serialise now.
 * @example await kv.set(key, await sealEntry(secret, tenantId, entryFromCompletion(completion)))
 */
export function entryFromCompletion(completion: ChatCompletion): CacheEntry {
  const chunks: StoredChoice[][] = [];
  for (const choice of completion.choices) {
    const { message, index } = choice;
    const extras = Object.fromEntries(Object.entries(message).filter(([k]) => !MESSAGE_KEYS.has(k)));
    const first: StoredChoice = { index, delta: { role: "assistant", content: message.content, ...extras }, finish_reason: null };
    if (choice.logprobs !== undefined) first.logprobs = choice.logprobs;
    chunks.push([first]);
    (message.tool_calls ?? []).forEach((call, i) => {
      chunks.push([
        { index, delta: { tool_calls: [{ index: i, id: call.id, type: call.type, function: { ...call.function } }] }, finish_reason: null },
      ]);
    });
    chunks.push([{ index, delta: {}, finish_reason: choice.finish_reason }]);
  }
  return {
    v: 1,
    model: completion.model,
    created: completion.created,
    ...(completion.system_fingerprint !== undefined ? { systemFingerprint: completion.system_fingerprint } : {}),
    chunks,
    ...(completion.usage ? { usage: completion.usage } : {}),
  };
}

/** Type guard for what `openEntry` decrypted: the shape, not every nested field. */
export function isCacheEntry(value: unknown): value is CacheEntry {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Partial<CacheEntry>;
  return (
    e.v === 1 &&
    typeof e.model === "string" &&
    typeof e.created === "number" &&
    Array.isArray(e.chunks) &&
    e.chunks.every(
      (c) =>
        Array.isArray(c) &&
        c.every((x) => typeof x === "object" && x !== null && typeof x.index === "number" && typeof x.delta === "object"),
    )
  );
}
