import { type ErrorCode, GatewayError } from "../errors/gateway-error";
import type { UpstreamError, UpstreamErrorKind } from "./types";

const CODE: Record<UpstreamErrorKind, ErrorCode> = {
  invalid_request: "invalid_request",
  context_length: "context_length_exceeded",
  content_policy: "content_policy_violation",
  authentication: "upstream_error",
  permission: "upstream_error",
  not_found: "upstream_error",
  rate_limit: "upstream_rate_limited",
  overloaded: "upstream_unavailable",
  timeout: "upstream_timeout",
  server: "upstream_error",
};

// The gateway's own credentials are at fault here: the upstream's wording may echo part of the key.
const FIXED_MESSAGE: Partial<Record<UpstreamErrorKind, string>> = {
  authentication: "rejected the gateway's credentials",
  permission: "refused the request with the gateway's credentials",
};

/**
 * An upstream's classified error as the client sees it. Request problems keep the provider's
 * message (the client needs it); credential problems get a fixed one.
 * @example throw upstreamFailure("anthropic", adapter.error(res.status, body, res.headers));
 */
export function upstreamFailure(provider: string, err: UpstreamError): GatewayError {
  const fixed = FIXED_MESSAGE[err.kind];
  const message = fixed ? `Provider ${provider} ${fixed}` : `Provider ${provider}: ${err.message}`;
  return new GatewayError(CODE[err.kind], message, {
    upstream: { provider, status: err.status, kind: err.kind },
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
  });
}
