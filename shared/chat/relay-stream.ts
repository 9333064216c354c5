import { sseParser } from "../openai/sse";
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

const isError = (v: ChatCompletionChunk[] | UpstreamError): v is UpstreamError => !Array.isArray(v);

/**
 * Upstream SSE → the client's stream, one event at a time (nothing buffered beyond one event). A
 * failure after the first byte, or an upstream that closes without its end marker, ends the stream
 * with the encoder's error event, never a clean end. Cancelling the returned stream cancels the
 * upstream body, which aborts the upstream request.
 */
export function relayStream(opts: RelayOptions): ReadableStream<Uint8Array> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const events = opts.upstream.pipeThrough(sseParser()).getReader();
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

  const visible = (chunk: ChatCompletionChunk): ChatCompletionChunk | undefined => {
    if (opts.includeUsage) return chunk;
    if (chunk.choices.length === 0 && chunk.usage) return undefined;
    if (!("usage" in chunk)) return chunk;
    const { usage: _hidden, ...rest } = chunk;
    return rest as ChatCompletionChunk;
  };

  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, err: UpstreamError) => {
    const gw = upstreamFailure(opts.provider, err);
    outcome.error = { code: gw.code, message: gw.message };
    for (const bytes of opts.encoder.error(gw)) controller.enqueue(bytes);
    controller.close();
    events.cancel().catch(() => {});
    end();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let next: ReadableStreamReadResult<{ data: string; event?: string }>;
          try {
            next = await events.read();
          } catch {
            return fail(controller, { kind: "server", status: 502, message: "The upstream connection was lost mid-stream" });
          }
          const out = next.done ? opts.translator.end() : opts.translator.event(next.value);
          if (isError(out)) return fail(controller, out);
          let sent = false;
          for (const chunk of out) {
            opts.onChunk?.(chunk);
            const shown = visible(chunk);
            if (!shown) continue;
            outcome.ttftMs ??= Math.round(now() - started);
            for (const choice of shown.choices) {
              if (choice.delta.content) received.push(choice.delta.content);
              for (const call of choice.delta.tool_calls ?? []) received.push(call.function?.name ?? "", call.function?.arguments ?? "");
            }
            const bytes = opts.encoder.chunk(shown);
            for (const b of bytes) controller.enqueue(b);
            if (bytes.length) sent = true;
          }
          if (next.done) {
            for (const bytes of opts.encoder.done()) controller.enqueue(bytes);
            controller.close();
            return end();
          }
          if (sent) return;
        }
      },
      async cancel(reason) {
        outcome.cancelled = true;
        await events.cancel(reason).catch(() => {});
        end();
      },
    },
    { highWaterMark: 0 },
  );
}
