import { GatewayError } from "../errors/gateway-error";
import { openAIDuration } from "./duration";
import type { CheckResult, Preflight, PreflightResult } from "./plan";

const KINDS = { requests: "requests", tokens: "tokens" } as const;

/** The tightest check of a kind: the one with the least left after this request. */
function tightest(result: PreflightResult, kind: keyof typeof KINDS): CheckResult | undefined {
  const left = (c: CheckResult) => c.remaining - (result.ok ? c.check.cost : 0);
  return result.checks.filter((c) => c.check.kind === kind).sort((a, b) => left(a) - left(b))[0];
}

/**
 * OpenAI's rate-limit headers for the tightest request and token limits: limit, what is left after
 * this request, and when the window resets (`1s`, `6m0s`).
 */
export function rateLimitHeaders(result: PreflightResult, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of Object.values(KINDS)) {
    const c = tightest(result, kind);
    if (!c) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(c.check.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, Math.floor(c.remaining - (result.ok ? c.check.cost : 0))));
    headers[`x-ratelimit-reset-${kind}`] = openAIDuration(c.resetAt - now);
  }
  return headers;
}

const nextMonth = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/** The error a refused preflight answers with (429, or 403 for the deny list), carrying `headers`. */
export function refusal(plan: Preflight, result: PreflightResult, headers: Record<string, string> = {}): GatewayError {
  const { now } = plan;
  if (result.reason === "denied")
    return new GatewayError("permission_denied", "This key, end user or address is blocked on this gateway.", { headers });
  if (result.reason === "budget") {
    const limit = (plan.budget?.limitMicroUsd ?? 0) / 1e6;
    return new GatewayError(
      "budget_exceeded",
      `Monthly budget of $${limit} reached for this tenant. It resets at the start of the next month (UTC).`,
      {
        retryAfterMs: nextMonth(now) - now,
        headers,
      },
    );
  }
  if (result.reason === "inflight") {
    return new GatewayError(
      "rate_limit_exceeded",
      `Too many requests in flight for this key (at most ${plan.inflight?.max}). Retry when one finishes.`,
      {
        retryAfterMs: 1000,
        headers,
      },
    );
  }
  const failed = result.failed;
  if (!failed) return new GatewayError("rate_limit_exceeded", "Rate limit reached.", { retryAfterMs: 1000, headers });
  const { check } = failed;
  const what =
    check.kind === "tokens"
      ? `tokens per minute (TPM): Limit ${check.limit}, Remaining ${failed.remaining}, Requested ${check.cost}`
      : `requests per minute (RPM): Limit ${check.limit}, Used ${check.limit - failed.remaining}, Requested 1`;
  const wait = Math.max(0, failed.resetAt - now);
  return new GatewayError(
    "rate_limit_exceeded",
    `Rate limit reached for ${check.scope} on ${what}. Please try again in ${openAIDuration(wait)}.`,
    {
      retryAfterMs: wait,
      headers,
    },
  );
}
