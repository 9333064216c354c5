import { GatewayError } from "../errors/gateway-error";
import type { Provider } from "./registry";
import type { UpstreamRequest } from "./types";
import { upstreamFailure } from "./upstream-failure";

export type SendOptions = {
  provider: Provider;
  request: UpstreamRequest;
  /** The Worker's raw bindings, for providers reached through one (Workers AI). */
  bindings: Record<string, unknown>;
  /** Aborts the upstream call (client gone, deadline). */
  signal?: AbortSignal;
  /** The credential is the tenant's own (BYOK, `Target.ownKey`); changes how credential errors map. */
  ownKey?: boolean;
};

/**
 * Performs one upstream call and returns the 2xx response with its body unread.
 * @throws GatewayError classified by the adapter for a non-2xx answer, upstream_error when unreachable.
 */
export async function send({ provider, request, bindings, signal, ownKey }: SendOptions): Promise<Response> {
  const { adapter } = provider;
  let res: Response;
  try {
    res = adapter.send
      ? await adapter.send(request, bindings, signal)
      : await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal });
  } catch (cause) {
    if (signal?.aborted) throw new GatewayError("upstream_timeout", `Provider ${provider.id} call was aborted`, { cause });
    throw new GatewayError("upstream_error", `Provider ${provider.id} could not be reached`, { cause });
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => "");
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  throw upstreamFailure(provider.id, adapter.error(res.status, body, res.headers), { ownKey });
}
