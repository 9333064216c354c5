import { GatewayError } from "../errors/gateway-error";
import type { EmbeddingsRequest } from "../openai/embeddings-request";
import type { EmbeddingsResponse } from "../openai/types";
import { MalformedUpstreamResponse } from "../providers/malformed";
import type { Provider } from "../providers/registry";
import { send } from "../providers/send";
import type { ResponseMeta, Target } from "../providers/types";

export type EmbedCall = {
  provider: Provider;
  target: Target;
  body: EmbeddingsRequest;
  meta: ResponseMeta;
  bindings: Record<string, unknown>;
  signal?: AbortSignal;
};

/**
 * One embeddings call through the provider's adapter.
 * @throws GatewayError model_not_found when the provider has no embeddings; upstream errors from `send`.
 */
export async function embed(call: EmbedCall): Promise<EmbeddingsResponse> {
  const { adapter } = call.provider;
  if (!adapter.embeddingsRequest || !adapter.embeddingsResponse) {
    throw new GatewayError("model_not_found", `Provider ${call.provider.id} does not serve embeddings`, { param: "model" });
  }
  const res = await send({
    provider: call.provider,
    request: adapter.embeddingsRequest(call.body, call.target),
    bindings: call.bindings,
    signal: call.signal,
    ownKey: call.target.ownKey,
  });
  const json = await res.json().catch(() => {
    throw new MalformedUpstreamResponse("body is not JSON");
  });
  return adapter.embeddingsResponse(json, call.meta, call.body);
}
