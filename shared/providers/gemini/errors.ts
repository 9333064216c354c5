import { AdapterInputError } from "../adapter-input-error";
import { retryAfterMs } from "../retry-after";
import type { UpstreamError, UpstreamErrorKind } from "../types";
import { isRecord } from "./wire";

/**
 * The shared AdapterInputError with a message that names the field, so it reads well on its own.
 * @example throw inputError("messages[2].tool_calls[0].function.arguments", "is not valid JSON");
 */
export const inputError = (param: string, problem: string) => new AdapterInputError(`${param} ${problem}`, param);

// google.rpc.Code names, as Gemini sends them in `error.status`.
const BY_RPC_STATUS: Record<string, UpstreamErrorKind> = {
  INVALID_ARGUMENT: "invalid_request",
  FAILED_PRECONDITION: "invalid_request",
  OUT_OF_RANGE: "invalid_request",
  UNAUTHENTICATED: "authentication",
  PERMISSION_DENIED: "permission",
  NOT_FOUND: "not_found",
  RESOURCE_EXHAUSTED: "rate_limit",
  UNAVAILABLE: "overloaded",
  DEADLINE_EXCEEDED: "timeout",
  CANCELLED: "timeout",
  INTERNAL: "server",
  UNKNOWN: "server",
};

const BY_HTTP_STATUS: Record<number, UpstreamErrorKind> = {
  400: "invalid_request",
  401: "authentication",
  403: "permission",
  404: "not_found",
  408: "timeout",
  429: "rate_limit",
  503: "overloaded",
  504: "timeout",
};

// "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
const TOKEN_LIMIT = /token count.*exceeds|exceeds the maximum number of tokens|too many tokens|context (length|window)/i;

type GoogleError = { code?: unknown; message?: unknown; status?: unknown; details?: unknown };

/** `{error: {...}}`, or the same wrapped in a one-element array (Gemini's streaming endpoints). */
function googleError(body: unknown): GoogleError | undefined {
  const outer = Array.isArray(body) ? body[0] : body;
  return isRecord(outer) && isRecord(outer.error) ? (outer.error as GoogleError) : undefined;
}

/** `RetryInfo.retryDelay` is a protobuf Duration in JSON: seconds with an `s` suffix ("12s", "0.5s"). */
function retryDelayMs(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (!isRecord(detail) || typeof detail.retryDelay !== "string") continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay);
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}

// An invalid key comes back as 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID.
function isBadKey(error: GoogleError): boolean {
  const reasons = Array.isArray(error.details) ? error.details.map((d) => (isRecord(d) ? d.reason : undefined)) : [];
  return reasons.includes("API_KEY_INVALID") || (typeof error.message === "string" && /API key not valid/i.test(error.message));
}

function kindOf(status: number, error: GoogleError | undefined): UpstreamErrorKind {
  if (error && isBadKey(error)) return "authentication";
  const rpc = typeof error?.status === "string" ? BY_RPC_STATUS[error.status] : undefined;
  const kind = rpc ?? BY_HTTP_STATUS[status] ?? (status >= 500 ? "server" : "invalid_request");
  if (kind === "invalid_request" && typeof error?.message === "string" && TOKEN_LIMIT.test(error.message)) return "context_length";
  return kind;
}

/**
 * A Gemini error (`{error: {code, message, status, details}}`) → UpstreamError, classified by the
 * RPC status name first and the HTTP status second. The wait comes from `retry-after` when present,
 * else from the `google.rpc.RetryInfo` detail Gemini attaches to RESOURCE_EXHAUSTED.
 * @example gemini.error(429, await res.json(), res.headers)
 */
export function geminiError(status: number, body: unknown, headers: Headers): UpstreamError {
  const error = googleError(body);
  const message =
    typeof error?.message === "string" && error.message
      ? error.message
      : typeof body === "string" && body
        ? body.slice(0, 500)
        : `HTTP ${status}`;
  const kind = kindOf(status, error);
  const retry = retryAfterMs(headers) ?? (kind === "rate_limit" ? retryDelayMs(error?.details) : undefined);
  return { kind, status, message, ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
}
