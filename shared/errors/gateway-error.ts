/**
 * Status, type and code of every error the gateway renders (CONTRACT.md: OpenAI's where OpenAI has one).
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, type: "invalid_request_error" },
  invalid_json: { status: 400, type: "invalid_request_error" },
  invalid_api_key: { status: 401, type: "invalid_request_error" },
  permission_denied: { status: 403, type: "invalid_request_error" },
  not_found: { status: 404, type: "invalid_request_error" },
  model_not_found: { status: 404, type: "invalid_request_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  conflict: { status: 409, type: "invalid_request_error" },
  context_length_exceeded: { status: 400, type: "invalid_request_error" },
  content_policy_violation: { status: 400, type: "invalid_request_error" },
  request_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  rate_limit_exceeded: { status: 429, type: "rate_limit_error" },
  budget_exceeded: { status: 429, type: "rate_limit_error" },
  upstream_rate_limited: { status: 429, type: "rate_limit_error" },
  internal_error: { status: 500, type: "server_error" },
  config_error: { status: 500, type: "server_error" },
  upstream_error: { status: 502, type: "upstream_error" },
  upstream_unavailable: { status: 503, type: "upstream_error" },
  service_unavailable: { status: 503, type: "server_error" },
  upstream_timeout: { status: 504, type: "upstream_error" },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode]["status"];

export type GatewayErrorDetails = {
  /** The request field at fault, e.g. `messages[0].content`. */
  param?: string;
  /** Sets `retry-after` (rounded up to whole seconds). */
  retryAfterMs?: number;
  /** More response headers (e.g. the rate-limit headers of a 429). */
  headers?: Record<string, string>;
  /** Logged, never rendered. */
  cause?: unknown;
  /** Set when an upstream answered with an error: which provider, its status and how it was classified. */
  upstream?: { provider: string; status: number; kind: string };
};

/** The one error type of the gateway; `functions/app.ts` renders it as `{"error": {...}}`. */
export class GatewayError extends Error {
  readonly status: ErrorStatus;
  readonly type: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: GatewayErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "GatewayError";
    this.status = ERROR_CODES[code].status;
    this.type = ERROR_CODES[code].type;
  }
}

/** The OpenAI error body. */
export type OpenAIErrorBody = {
  error: { message: string; type: string; param: string | null; code: string };
};

/** Renders an error in OpenAI's shape. @example toOpenAIError(new GatewayError("not_found", "No such route")) */
export function toOpenAIError(err: GatewayError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, param: err.details.param ?? null, code: err.code } };
}
