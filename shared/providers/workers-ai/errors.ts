import { retryAfterMs } from "../retry-after";
import type { UpstreamError, UpstreamErrorKind } from "../types";

/**
 * Workers AI's internal error codes: the HTTP status its REST API documents for each, and how the
 * gateway classifies it. Source: developers.cloudflare.com/workers-ai/platform/errors (5006 is the
 * input-schema failure the binding reports, e.g. "5006: Error: required properties at '/' are 'messages'").
 */
export const WORKERS_AI_CODES: Readonly<Record<number, { status: number; kind: UpstreamErrorKind }>> = {
  3003: { status: 400, kind: "invalid_request" }, // Incomplete request
  3006: { status: 413, kind: "invalid_request" }, // Request too large
  3007: { status: 408, kind: "timeout" },
  3008: { status: 408, kind: "timeout" }, // Aborted
  3023: { status: 403, kind: "permission" }, // Account blocked
  3036: { status: 429, kind: "rate_limit" }, // Daily free allocation used up
  3039: { status: 400, kind: "invalid_request" }, // Finetune missing required files
  3040: { status: 429, kind: "overloaded" }, // Out of capacity: no data center to forward to
  3041: { status: 403, kind: "permission" }, // Account not allowed for private model
  3042: { status: 404, kind: "not_found" }, // Invalid model ID
  5004: { status: 400, kind: "invalid_request" }, // Invalid data
  5005: { status: 405, kind: "invalid_request" }, // LoRA unsupported by the model
  5006: { status: 400, kind: "invalid_request" }, // Input does not match the model's schema
  5007: { status: 400, kind: "not_found" }, // No such model or task
  5016: { status: 403, kind: "permission" }, // Model terms not agreed to
  5018: { status: 403, kind: "permission" }, // Account not allowed for private model
  5019: { status: 405, kind: "server" }, // Deprecated SDK version (the runtime's, not the client's)
};

const BY_STATUS: Record<number, UpstreamErrorKind> = {
  400: "invalid_request",
  401: "authentication",
  403: "permission",
  404: "not_found",
  408: "timeout",
  413: "invalid_request",
  429: "rate_limit",
  503: "overloaded",
  504: "timeout",
};

const CAPACITY = /capacity|overloaded/i;
const CONTEXT = /context (window|length)|too many (input )?tokens|exceeds? the maximum (number of )?tokens/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** A known internal code: the `code` property, else the first `<code>:` in the message ("AiError: 3040: …"). */
function codeOf(code: unknown, message: string): number | undefined {
  const direct = typeof code === "number" ? code : typeof code === "string" ? Number.parseInt(code, 10) : Number.NaN;
  if (direct in WORKERS_AI_CODES) return direct;
  for (const match of message.matchAll(/\b(\d{4})\s*:/g)) {
    const parsed = Number(match[1]);
    if (parsed in WORKERS_AI_CODES) return parsed;
  }
  return undefined;
}

/**
 * What the binding threw, as `{code, message}`. The binding throws plain Errors whose message holds
 * the code ("AiError: 3040: Capacity temporarily exceeded, please try again."); the class-name
 * prefixes are dropped, the code stays in the message.
 */
export function bindingError(thrown: unknown): { code?: number; message: string } {
  const raw = thrown instanceof Error ? thrown.message : typeof thrown === "string" ? thrown : String(thrown);
  const message = raw.replace(/^(\s*\w*Error:\s*)+/, "").trim() || "Workers AI call failed";
  const code = codeOf(isRecord(thrown) ? thrown.code : undefined, message);
  return code === undefined ? { message } : { code, message };
}

/** The HTTP status Workers AI documents for a binding error (500 when its code is unknown). */
export const statusOf = (code: number | undefined): number => (code === undefined ? 500 : (WORKERS_AI_CODES[code]?.status ?? 500));

/** `{errors: [{code, message}]}` (the REST API's and `send`'s envelope), `{error}`, or text → code and message. */
function describe(status: number, body: unknown): { code?: number; message: string } {
  const first = isRecord(body) && Array.isArray(body.errors) ? body.errors[0] : isRecord(body) ? body.error : body;
  if (isRecord(first)) {
    const message = typeof first.message === "string" && first.message ? first.message : `HTTP ${status}`;
    const code = codeOf(first.code, message);
    return code === undefined ? { message } : { code, message };
  }
  if (typeof first === "string" && first) return bindingError(first.slice(0, 500));
  return { message: `HTTP ${status}` };
}

/**
 * A Workers AI failure → UpstreamError: by internal code first (WORKERS_AI_CODES: capacity →
 * overloaded, exhausted allocation → rate_limit, schema errors → invalid_request), then by HTTP
 * status, then by wording (capacity → overloaded, context window → context_length); anything else
 * is a server error.
 * @example workersAi.error(429, { errors: [{ code: 3040, message: "3040: Capacity temporarily exceeded" }] }, new Headers())
 */
export function workersAiError(status: number, body: unknown, headers: Headers): UpstreamError {
  const { code, message } = describe(status, body);
  let kind =
    (code !== undefined ? WORKERS_AI_CODES[code]?.kind : undefined) ?? BY_STATUS[status] ?? (status >= 500 ? "server" : "invalid_request");
  if (code === undefined && (kind === "server" || kind === "rate_limit") && CAPACITY.test(message)) kind = "overloaded";
  if (kind === "invalid_request" && CONTEXT.test(message)) kind = "context_length";
  const retry = retryAfterMs(headers);
  return { kind, status, message, ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
}
