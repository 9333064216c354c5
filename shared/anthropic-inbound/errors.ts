import type { ErrorCode, GatewayError } from "../errors/gateway-error";

/** Anthropic's `error.type` values (https://docs.anthropic.com/en/api/errors). */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

export type AnthropicErrorBody = { type: "error"; error: { type: AnthropicErrorType; message: string } };

/**
 * Every gateway code → Anthropic's type (a full table: a new code must choose). Other 4xx codes are
 * `invalid_request_error`, as Anthropic documents; a gateway or upstream failure is `api_error`,
 * except an unavailable upstream (`overloaded_error`) and an upstream timeout (`timeout_error`).
 */
const TYPES: Record<ErrorCode, AnthropicErrorType> = {
  invalid_request: "invalid_request_error",
  invalid_json: "invalid_request_error",
  invalid_api_key: "authentication_error",
  permission_denied: "permission_error",
  not_found: "not_found_error",
  model_not_found: "not_found_error",
  method_not_allowed: "invalid_request_error",
  conflict: "invalid_request_error",
  context_length_exceeded: "invalid_request_error",
  content_policy_violation: "invalid_request_error",
  request_too_large: "request_too_large",
  unsupported_media_type: "invalid_request_error",
  rate_limit_exceeded: "rate_limit_error",
  budget_exceeded: "rate_limit_error",
  upstream_rate_limited: "rate_limit_error",
  internal_error: "api_error",
  config_error: "api_error",
  upstream_error: "api_error",
  upstream_unavailable: "overloaded_error",
  service_unavailable: "api_error",
  upstream_timeout: "timeout_error",
};

/**
 * Renders an error in Anthropic's shape for `/v1/messages` (status and headers stay the gateway's).
 * @example toAnthropicError(new GatewayError("invalid_api_key", "Incorrect API key provided"))
 *   // → { type: "error", error: { type: "authentication_error", message: "Incorrect API key provided" } }
 */
export function toAnthropicError(err: GatewayError): AnthropicErrorBody {
  return { type: "error", error: { type: TYPES[err.code], message: err.message } };
}
