import type { ChatCompletionRequest } from "../openai/chat-request";
import type { EmbeddingsRequest } from "../openai/embeddings-request";
import type { SseEvent } from "../openai/sse";
import type { ChatCompletion, ChatCompletionChunk, EmbeddingsResponse, Usage } from "../openai/types";

/** Where one call goes: resolved from the registry/deployment and the credentials in use. */
export type Target = {
  /** The model id the upstream knows (e.g. `claude-sonnet-4-5`, `gpt-4o-mini`, an Azure deployment name). */
  model: string;
  /** Base URL of the provider API, without a trailing slash (e.g. `https://api.anthropic.com`). */
  baseUrl: string;
  /** The credential; adapters decide the header it goes in. */
  apiKey: string;
  /** Provider-specific settings of the deployment, e.g. `{ apiVersion: "2024-10-21" }` for Azure. */
  options?: Readonly<Record<string, string>>;
  /** The credential is the tenant's own (BYOK): the upstream's verdict on it is the tenant's to see. */
  ownKey?: boolean;
};

/** An HTTP request to an upstream, as data (pure adapters build it; `send.ts` performs it). */
export type UpstreamRequest = { url: string; method: "POST" | "GET"; headers: Record<string, string>; body?: string };

/** What the gateway stamps on responses it builds: OpenAI-style id, creation time, model name shown. */
export type ResponseMeta = { id: string; created: number; model: string };

/** How an upstream failure is classified; the generic layer turns it into a GatewayError. */
export type UpstreamErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "rate_limit"
  | "overloaded"
  | "timeout"
  | "content_policy"
  | "context_length"
  | "server";

export type UpstreamError = { kind: UpstreamErrorKind; status: number; message: string; retryAfterMs?: number };

/**
 * Turns one upstream stream into OpenAI chunks. Stateful (one per response); every method is pure
 * with respect to I/O.
 */
export interface StreamTranslator {
  /** One upstream SSE event → zero or more OpenAI chunks. Returns an UpstreamError for an in-stream error event. */
  event(ev: SseEvent): ChatCompletionChunk[] | UpstreamError;
  /**
   * The upstream closed. Returns final chunks, or an UpstreamError when the stream ended before the
   * provider's end marker (`[DONE]`, `message_stop`, a finish reason...): truncation is never success.
   */
  end(): ChatCompletionChunk[] | UpstreamError;
  /** Usage reported so far (undefined until the provider sends it). */
  usage(): Usage | undefined;
  /**
   * The upstream's own JSON text of a chunk the last `event` returned unchanged (an OpenAI-format
   * upstream), so an OpenAI client can get it without a second serialisation; undefined otherwise.
   */
  source?(chunk: ChatCompletionChunk): string | undefined;
}

/** Sends a request for providers reached without HTTP (e.g. a Workers binding). */
export type Sender = (req: UpstreamRequest, bindings: Record<string, unknown>, signal?: AbortSignal) => Promise<Response>;

/**
 * One provider's translation, as pure functions. Generic code (routes, send, streaming, metering)
 * only ever calls these: it never checks a provider id.
 */
export interface ProviderAdapter {
  readonly id: string;
  readonly capabilities: { chat: boolean; embeddings: boolean; tools: boolean; streaming: boolean; vision: boolean };
  chatRequest(body: ChatCompletionRequest, target: Target): UpstreamRequest;
  chatResponse(json: unknown, meta: ResponseMeta): ChatCompletion;
  chatStream(meta: ResponseMeta): StreamTranslator;
  embeddingsRequest?(body: EmbeddingsRequest, target: Target): UpstreamRequest;
  /** `body` is the client's request: some providers answer without usage or encoding, derived from it. */
  embeddingsResponse?(json: unknown, meta: ResponseMeta, body: EmbeddingsRequest): EmbeddingsResponse;
  /** Classifies a non-2xx answer (body already parsed as JSON when possible, else the text). */
  error(status: number, body: unknown, headers: Headers): UpstreamError;
  /** Present only for providers not reached by `fetch` (Workers AI binding). */
  send?: Sender;
}
