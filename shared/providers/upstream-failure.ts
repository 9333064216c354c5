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

// With the tenant's own key (BYOK) a credential problem is the tenant's: it passes through as the
// upstream's status, still with a fixed message (the caller may be any key of the tenant).
const OWN_KEY: Partial<Record<UpstreamErrorKind, { code: ErrorCode; message: string }>> = {
  authentication: { code: "invalid_api_key", message: "rejected the tenant's own credentials (BYOK)" },
  permission: { code: "permission_denied", message: "refused the request with the tenant's own credentials (BYOK)" },
};

/**
 * An upstream's classified error as the client sees it. Request problems keep the provider's
 * message (the client needs it); credential problems get a fixed one, and are the gateway's fault
 * (502) unless the credential is the tenant's own (`ownKey`: 401/403).
 * @example throw upstreamFailure("anthropic", adapter.error(res.status, body, res.headers));
 */
export function upstreamFailure(provider: string, err: UpstreamError, opts: { ownKey?: boolean } = {}): GatewayError {
  const own = opts.ownKey ? OWN_KEY[err.kind] : undefined;
  const fixed = own?.message ?? FIXED_MESSAGE[err.kind];
  const message = fixed ? `Provider ${provider} ${fixed}` : `Provider ${provider}: ${err.message}`;
  return new GatewayError(own?.code ?? CODE[err.kind], message, {
    upstream: { provider, status: err.status, kind: err.kind },
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
  });
}
