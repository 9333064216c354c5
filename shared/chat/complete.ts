import type { ChatCompletionRequest } from "../openai/chat-request";
import type { ChatCompletion, ChatCompletionChunk } from "../openai/types";
import { MalformedUpstreamResponse } from "../providers/malformed";
import type { Provider } from "../providers/registry";
import { send } from "../providers/send";
import type { ResponseMeta, Target } from "../providers/types";
import { relayStream, type StreamOutcome } from "./relay-stream";
import { openAIStreamEncoder, type StreamEncoder } from "./stream-encoder";

export type ChatCall = {
  provider: Provider;
  target: Target;
  body: ChatCompletionRequest;
  meta: ResponseMeta;
  bindings: Record<string, unknown>;
  signal?: AbortSignal;
  /** The client's stream format. @default OpenAI SSE */
  encoder?: StreamEncoder;
  /** Sees every translated stream chunk before the client's filter (the cache recorder). */
  onChunk?: (chunk: ChatCompletionChunk) => void;
};

export type ChatResult =
  | { kind: "json"; completion: ChatCompletion }
  | { kind: "stream"; stream: ReadableStream<Uint8Array>; outcome: Promise<StreamOutcome> };

/**
 * One chat call through the provider's adapter: JSON mapped to a ChatCompletion, or a stream relayed
 * event by event (its outcome, with usage, resolves when the stream ends).
 * @throws GatewayError from `send` for upstream failures before the first byte.
 */
export async function completeChat(call: ChatCall): Promise<ChatResult> {
  const { adapter } = call.provider;
  const request = adapter.chatRequest(call.body, call.target);
  const res = await send({ provider: call.provider, request, bindings: call.bindings, signal: call.signal, ownKey: call.target.ownKey });
  if (call.body.stream) {
    if (!res.body) throw new MalformedUpstreamResponse("stream without a body");
    let resolve: (o: StreamOutcome) => void = () => {};
    const outcome = new Promise<StreamOutcome>((r) => {
      resolve = r;
    });
    const stream = relayStream({
      provider: call.provider.id,
      upstream: res.body,
      translator: adapter.chatStream(call.meta),
      includeUsage: call.body.stream_options?.include_usage === true,
      encoder: call.encoder ?? openAIStreamEncoder(),
      ...(call.onChunk ? { onChunk: call.onChunk } : {}),
      onEnd: resolve,
    });
    return { kind: "stream", stream, outcome };
  }
  const json = await res.json().catch(() => {
    throw new MalformedUpstreamResponse("body is not JSON");
  });
  return { kind: "json", completion: adapter.chatResponse(json, call.meta) };
}
