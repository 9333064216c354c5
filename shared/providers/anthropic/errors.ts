import { retryAfterMs } from "../retry-after";
import type { UpstreamError, UpstreamErrorKind } from "../types";
import { isRecord } from "./wire";

/** Anthropic's `error.type` → our kind, and the HTTP status Anthropic documents for it. */
const BY_TYPE: Record<string, { kind: UpstreamErrorKind; status: number }> = {
  invalid_request_error: { kind: "invalid_request", status: 400 },
  authentication_error: { kind: "authentication", status: 401 },
  // Billing is the account owner's problem, like OpenAI's insufficient_quota.
  billing_error: { kind: "permission", status: 402 },
  permission_error: { kind: "permission", status: 403 },
  not_found_error: { kind: "not_found", status: 404 },
  request_too_large: { kind: "invalid_request", status: 413 },
  rate_limit_error: { kind: "rate_limit", status: 429 },
  api_error: { kind: "server", status: 500 },
  timeout_error: { kind: "timeout", status: 504 },
  overloaded_error: { kind: "overloaded", status: 529 },
};

/** For bodies that are not Anthropic's error shape (a proxy page, an empty body). */
const BY_STATUS: Record<number, UpstreamErrorKind> = {
  400: "invalid_request",
  401: "authentication",
  402: "permission",
  403: "permission",
  404: "not_found",
  408: "timeout",
  413: "invalid_request",
  429: "rate_limit",
  503: "overloaded",
  504: "timeout",
  529: "overloaded",
};

/** Anthropic says "prompt is too long: N tokens > M maximum" or "... exceed context limit: ...". */
const CONTEXT_LENGTH = /prompt is too long|exceeds? (the )?context (limit|window)/i;

function fields(body: unknown): { type?: string; message?: string } {
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(error)) return {};
  return {
    ...(typeof error.type === "string" ? { type: error.type } : {}),
    ...(typeof error.message === "string" ? { message: error.message } : {}),
  };
}

function kindOf(type: string | undefined, message: string | undefined, fallback: UpstreamErrorKind): UpstreamErrorKind {
  const kind = (type && BY_TYPE[type]?.kind) || fallback;
  return kind === "invalid_request" && message && CONTEXT_LENGTH.test(message) ? "context_length" : kind;
}

/**
 * A non-2xx answer of the Messages API (`{"type":"error","error":{"type","message"}}`) → UpstreamError.
 * The message is Anthropic's own text; a body that is not Anthropic JSON is classified by status.
 * `retryAfterMs` comes from `retry-after` (sent with 429 and sometimes 529).
 * @example anthropicError(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, headers)
 */
export function anthropicError(status: number, body: unknown, headers: Headers): UpstreamError {
  const { type, message } = fields(body);
  const kind = kindOf(type, message, BY_STATUS[status] ?? (status >= 500 ? "server" : "invalid_request"));
  const retry = retryAfterMs(headers);
  return { kind, status, message: message ?? textMessage(status, body), ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
}

/** An `event: error` inside a 200 stream: no HTTP status of its own, so it takes the one documented for its type. */
export function anthropicStreamError(body: unknown): UpstreamError {
  const { type, message } = fields(body);
  const known = type ? BY_TYPE[type] : undefined;
  return {
    kind: kindOf(type, message, "server"),
    status: known?.status ?? 500,
    message: message ?? "Anthropic reported an error in the stream",
  };
}

/** Short plain text passes (proxies answer 413/502 that way); HTML pages are not shown to clients. */
function textMessage(status: number, body: unknown): string {
  const text = typeof body === "string" ? body.trim() : "";
  return text && !text.startsWith("<") ? text.slice(0, 300) : `Anthropic answered HTTP ${status}`;
}
