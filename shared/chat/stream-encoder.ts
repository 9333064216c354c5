import { type GatewayError, toOpenAIError } from "../errors/gateway-error";
import { encodeSse, encodeSseJson } from "../openai/sse";
import type { ChatCompletionChunk } from "../openai/types";

/**
 * Turns the relayed OpenAI chunks into the client's wire format. Stateful per response.
 * `chunk` receives chunks already filtered for usage (see `relay-stream.ts`).
 */
export interface StreamEncoder {
  chunk(chunk: ChatCompletionChunk): Uint8Array[];
  /** The stream failed after it started: the last bytes the client gets. */
  error(err: GatewayError): Uint8Array[];
  /** The upstream finished cleanly. */
  done(): Uint8Array[];
}

const DONE = encodeSse({ data: "[DONE]" });

/** OpenAI's SSE: `data: <chunk>`, `data: [DONE]`, and `event: error` + `data: {"error": …}` on failure. */
export function openAIStreamEncoder(): StreamEncoder {
  return {
    chunk: (chunk) => [encodeSseJson(chunk)],
    error: (err) => [encodeSseJson(toOpenAIError(err), "error")],
    done: () => [DONE],
  };
}
