import { describe, expect, it } from "vitest";
import { toAnthropicError } from "../../../shared/anthropic-inbound/errors";
import { ERROR_CODES, type ErrorCode, GatewayError } from "../../../shared/errors/gateway-error";

const EXPECTED: Record<ErrorCode, string> = {
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

describe("toAnthropicError", () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])("renders %s in Anthropic's shape", (code) => {
    const err = new GatewayError(code, `Message for ${code}`, { param: "model" });
    expect(toAnthropicError(err)).toEqual({ type: "error", error: { type: EXPECTED[code], message: `Message for ${code}` } });
  });
});
