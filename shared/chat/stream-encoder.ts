import { type GatewayError, toOpenAIError } from "../errors/gateway-error";
import { sseJson, sseText } from "../openai/sse";
import type { ChatCompletionChunk } from "../openai/types";

/**
 * Turns the relayed OpenAI chunks into the client's wire format, as text (zero or more whole
 * events; the relay encodes what one upstream read produced at once). Stateful per response.
 * `chunk` receives chunks already filtered for usage (see `relay-stream.ts`).
 */
export interface StreamEncoder {
  /** `source`: the chunk's JSON exactly as the upstream wrote it, when the relay has it. */
  chunk(chunk: ChatCompletionChunk, source?: string): string;
  /** The stream failed after it started: the last events the client gets. */
  error(err: GatewayError): string;
  /** The upstream finished cleanly. */
  done(): string;
}

const DONE = sseText({ data: "[DONE]" });

/** OpenAI's SSE: `data: <chunk>`, `data: [DONE]`, and `event: error` + `data: {"error": …}` on failure. */
export function openAIStreamEncoder(): StreamEncoder {
  return {
    // a chunk passed on unchanged goes out as the upstream wrote it (no second serialisation)
    chunk: (chunk, source) => (source === undefined ? sseJson(chunk) : sseText({ data: source })),
    error: (err) => sseJson(toOpenAIError(err), "error"),
    done: () => DONE,
  };
}
