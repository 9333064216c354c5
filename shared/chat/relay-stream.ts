import { SseDecoder, type SseEvent } from "../openai/sse";
import type { ChatCompletionChunk, Usage } from "../openai/types";
import type { StreamTranslator, UpstreamError } from "../providers/types";
import { upstreamFailure } from "../providers/upstream-failure";
import type { StreamEncoder } from "./stream-encoder";

/** How a relayed stream ended; resolved once, after the last byte or the client leaving. */
export type StreamOutcome = {
  usage?: Usage;
  /** Milliseconds from relay start to the first chunk sent to the client. */
  ttftMs?: number;
  /** Set when the stream failed after it started (the client got an `event: error`). */
  error?: { code: string; message: string };
  /** The client disconnected before the end; the upstream call was cancelled. */
  cancelled: boolean;
  /** Text the client received (content and tool-call arguments), for estimating usage a provider did not report. */
  completionText: string;
};

export type RelayOptions = {
  provider: string;
  upstream: ReadableStream<Uint8Array>;
  translator: StreamTranslator;
  /** The client asked for `stream_options.include_usage`; otherwise usage chunks are stripped. */
  includeUsage: boolean;
  /** The client's wire format. */
  encoder: StreamEncoder;
  /** Sees every translated chunk, usage chunks included, before the client's filter (e.g. the cache recorder). */
  onChunk?: (chunk: ChatCompletionChunk) => void;
  onEnd: (outcome: StreamOutcome) => void;
  now?: () => number;
};

const USAGE_NULL_TAIL = ',"usage":null}';
/**
 * The chunk's text without its last member `"usage":null`, when it ends exactly so (compact JSON,
 * usage last, as OpenAI writes stream chunks); undefined otherwise (the encoder serialises then).
 */
const withoutNullUsage = (text: string) => (text.endsWith(USAGE_NULL_TAIL) ? `${text.slice(0, -USAGE_NULL_TAIL.length)}}` : undefined);

const isError = (v: ChatCompletionChunk[] | UpstreamError): v is UpstreamError => !Array.isArray(v);

const utf8 = new TextEncoder();

/**
 * Upstream SSE → the client's stream. Whatever one upstream read completes is translated and sent
 * as one write (nothing is held back waiting for more: an event goes out as soon as its bytes are
 * in). A failure after the first byte, or an upstream that closes without its end marker, ends the
 * stream with the encoder's error event, never a clean end. Cancelling the returned stream cancels
 * the upstream body, which aborts the upstream request.
 */
export function relayStream(opts: RelayOptions): ReadableStream<Uint8Array> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const upstream = opts.upstream.getReader();
  const decoder = new SseDecoder();
  const outcome: StreamOutcome = { cancelled: false, completionText: "" };
  const received: string[] = [];
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    outcome.usage = opts.translator.usage();
    if (!outcome.usage) outcome.completionText = received.join("");
    opts.onEnd(outcome);
  };

  /** The chunk without its `usage` member (hidden unless the client asked for it). */
  const withoutUsage = (chunk: ChatCompletionChunk): ChatCompletionChunk => {
    const { usage: _hidden, ...rest } = chunk;
    return rest as ChatCompletionChunk;
  };

  /** The client's text for these translated chunks (appended to `out`). */
  const emit = (chunks: ChatCompletionChunk[], out: string[]) => {
    for (const chunk of chunks) {
      opts.onChunk?.(chunk);
      const hideUsage = !opts.includeUsage && "usage" in chunk;
      if (hideUsage && chunk.choices.length === 0 && chunk.usage) continue;
      // The upstream's own text for the chunk as shown (a null usage cut out of it when hidden);
      // with that text, the encoder needs no copy of the chunk without its usage.
      const source = opts.translator.source?.(chunk);
      const text = source !== undefined && hideUsage ? withoutNullUsage(source) : source;
      const shown = hideUsage && text === undefined ? withoutUsage(chunk) : chunk;
      outcome.ttftMs ??= Math.round(now() - started);
      for (const choice of shown.choices) {
        if (choice.delta.content) received.push(choice.delta.content);
        for (const call of choice.delta.tool_calls ?? []) received.push(call.function?.name ?? "", call.function?.arguments ?? "");
      }
      out.push(opts.encoder.chunk(shown, text));
    }
  };

  /** Translates the events; an in-stream error stops at that event (what came before it still goes out). */
  const translate = (events: SseEvent[], out: string[]): UpstreamError | undefined => {
    for (const ev of events) {
      const chunks = opts.translator.event(ev);
      if (isError(chunks)) return chunks;
      emit(chunks, out);
    }
    return undefined;
  };

  /** One write of the text (skipped when empty). */
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, out: string[]): boolean => {
    const text = out.join("");
    if (text) controller.enqueue(utf8.encode(text));
    return text !== "";
  };

  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, out: string[], err: UpstreamError) => {
    const gw = upstreamFailure(opts.provider, err);
    outcome.error = { code: gw.code, message: gw.message };
    out.push(opts.encoder.error(gw));
    send(controller, out);
    controller.close();
    upstream.cancel().catch(() => {});
    end();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await upstream.read();
          } catch {
            return fail(controller, [], { kind: "server", status: 502, message: "The upstream connection was lost mid-stream" });
          }
          const out: string[] = [];
          const err = translate(next.done ? decoder.end() : decoder.push(next.value), out);
          if (err) return fail(controller, out, err);
          if (next.done) {
            const last = opts.translator.end();
            if (isError(last)) return fail(controller, out, last);
            emit(last, out);
            out.push(opts.encoder.done());
            send(controller, out);
            controller.close();
            return end();
          }
          if (send(controller, out)) return;
        }
      },
      async cancel(reason) {
        outcome.cancelled = true;
        await upstream.cancel(reason).catch(() => {});
        end();
      },
    },
    { highWaterMark: 0 },
  );
}
