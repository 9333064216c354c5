import { retryAfterMs } from "../retry-after";
import type { UpstreamError, UpstreamErrorKind } from "../types";

const BY_STATUS: Record<number, UpstreamErrorKind> = {
  400: "invalid_request",
  401: "authentication",
  403: "permission",
  404: "not_found",
  408: "timeout",
  413: "invalid_request",
  422: "invalid_request",
  429: "rate_limit",
  503: "overloaded",
  504: "timeout",
  529: "overloaded",
};

const BY_CODE: Record<string, UpstreamErrorKind> = {
  context_length_exceeded: "context_length",
  content_policy_violation: "content_policy",
  content_filter: "content_policy",
  insufficient_quota: "permission",
};

/** An OpenAI-shaped error body (`{error: {message, type, code}}`) → UpstreamError. */
export function openAIError(status: number, body: unknown, headers: Headers): UpstreamError {
  const error = typeof body === "object" && body !== null && "error" in body ? (body as { error: unknown }).error : undefined;
  const fields = typeof error === "object" && error !== null ? (error as { message?: unknown; code?: unknown }) : {};
  const message =
    typeof fields.message === "string"
      ? fields.message
      : typeof error === "string"
        ? error
        : typeof body === "string" && body
          ? body.slice(0, 500)
          : `HTTP ${status}`;
  const code = typeof fields.code === "string" ? fields.code : undefined;
  const kind = (code ? BY_CODE[code] : undefined) ?? BY_STATUS[status] ?? (status >= 500 ? "server" : "invalid_request");
  const retry = retryAfterMs(headers);
  return { kind, status, message, ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
}
