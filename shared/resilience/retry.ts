import { GatewayError } from "../errors/gateway-error";
import { AdapterInputError } from "../providers/adapter-input-error";
import { MalformedUpstreamResponse } from "../providers/malformed";
import type { UpstreamErrorKind } from "../providers/types";

/** How hard one client request may try upstream. Every field is a hard bound, not a hint. */
export type RetryPolicy = {
  /** Attempts in total per request: first try, retries, fallbacks and hedges together. @default 3 */
  maxAttempts: number;
  /** Backoff cap of the first retry; doubles per retry (full jitter below it). @default 100 */
  baseMs: number;
  /** The backoff cap never grows past this. @default 2000 */
  maxBackoffMs: number;
  /** From the first attempt's start until some attempt's first byte; nothing starts or sleeps past it. @default 30000 */
  deadlineMs: number;
  /** One attempt fails as a timeout when no first byte (headers) arrived in this time. @default 15000 */
  firstByteTimeoutMs: number;
  /** When set, a second attempt starts in parallel if the current one has not answered after this long. */
  hedgeAfterMs?: number;
};

/** The defaults of every {@link RetryPolicy} field. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 3,
  baseMs: 100,
  maxBackoffMs: 2000,
  deadlineMs: 30_000,
  firstByteTimeoutMs: 15_000,
};

export const FAILURE_CLASSES = ["rate_limit", "server", "timeout", "content_policy", "unavailable", "client", "aborted"] as const;
/** What an attempt's failure means for the next step: retry, fall back, or answer the client. */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/**
 * Milliseconds to wait before retry number `attempt` (1 = first retry): full jitter,
 * `random() * min(maxBackoffMs, baseMs * 2^(attempt-1))`, raised to the upstream's Retry-After when
 * it sent one. Returns null (give up on this deployment) when the wait would reach the deadline.
 * @example backoffMs(1, DEFAULT_RETRY_POLICY, { retryAfterMs: err.details.retryAfterMs, remainingMs: deadline - now })
 */
export function backoffMs(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "maxBackoffMs" | "deadlineMs">,
  ctx: { retryAfterMs?: number; remainingMs?: number } = {},
  random: () => number = Math.random,
): number | null {
  const cap = Math.min(policy.maxBackoffMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const wait = Math.max(Math.floor(random() * cap), Math.ceil(ctx.retryAfterMs ?? 0));
  return wait < (ctx.remainingMs ?? policy.deadlineMs) ? wait : null;
}

// Kinds of the adapters' classification. Credential and not-found answers reach this table only with
// the gateway's own key (BYOK ones become invalid_api_key/permission_denied): the deployment is
// misconfigured, which another deployment may not be.
const BY_KIND: Record<UpstreamErrorKind, FailureClass> = {
  invalid_request: "client",
  context_length: "client",
  content_policy: "content_policy",
  authentication: "server",
  permission: "server",
  not_found: "server",
  rate_limit: "rate_limit",
  overloaded: "unavailable",
  timeout: "timeout",
  server: "server",
};

const BY_CODE: Partial<Record<GatewayError["code"], FailureClass>> = {
  upstream_rate_limited: "rate_limit",
  upstream_error: "server",
  upstream_unavailable: "unavailable",
  service_unavailable: "unavailable",
  upstream_timeout: "timeout",
  content_policy_violation: "content_policy",
  invalid_api_key: "client",
  permission_denied: "client",
};

/**
 * Classifies what an attempt threw: GatewayErrors by the upstream kind they carry, else by code
 * (other 5xx codes are "server", other 4xx "client"); adapter input errors are the client's,
 * unreadable upstream bodies the server's. Anything unknown counts as "server": another
 * deployment may well answer.
 * @example failureClass(upstreamFailure("groq", { kind: "rate_limit", status: 429, message: "slow down" })) // "rate_limit"
 */
export function failureClass(err: unknown): FailureClass {
  if (err instanceof GatewayError) {
    const kind = err.details.upstream?.kind;
    const byCode = BY_CODE[err.code];
    if (byCode === "client") return byCode;
    if (kind !== undefined && kind in BY_KIND) return BY_KIND[kind as UpstreamErrorKind];
    return byCode ?? (err.status >= 500 ? "server" : "client");
  }
  if (err instanceof AdapterInputError) return "client";
  if (err instanceof MalformedUpstreamResponse) return "server";
  if (err instanceof Error || err instanceof DOMException) {
    if (err.name === "AbortError") return "aborted";
    if (err.name === "TimeoutError") return "timeout";
  }
  return "server";
}

/** Worth another try on the same deployment (after a backoff). */
export function retryable(failure: FailureClass): boolean {
  return failure === "server" || failure === "timeout" || failure === "unavailable" || failure === "rate_limit";
}

/**
 * Worth trying the next deployment or fallback model. Content policy refusals are (another model
 * may accept the prompt); client errors are not: the client gets them as they are.
 */
export function fallbackable(failure: FailureClass): boolean {
  return retryable(failure) || failure === "content_policy";
}
