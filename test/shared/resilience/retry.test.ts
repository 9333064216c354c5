import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../shared/errors/gateway-error";
import { AdapterInputError } from "../../../shared/providers/adapter-input-error";
import { MalformedUpstreamResponse } from "../../../shared/providers/malformed";
import type { UpstreamErrorKind } from "../../../shared/providers/types";
import { upstreamFailure } from "../../../shared/providers/upstream-failure";
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  type FailureClass,
  failureClass,
  fallbackable,
  retryable,
} from "../../../shared/resilience/retry";
import { seeded } from "../../helpers/workers/prng";

const policy = DEFAULT_RETRY_POLICY;

describe("backoffMs", () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [5, 1600],
    [6, 2000],
    [20, 2000],
  ])("retry %d waits below a cap of %d ms", (attempt, cap) => {
    expect(backoffMs(attempt, policy, {}, () => 0)).toBe(0);
    expect(backoffMs(attempt, policy, {}, () => 0.999_999)).toBe(cap - 1);
  });

  it("spreads waits over the whole jitter range", () => {
    const random = seeded(7);
    const waits = Array.from({ length: 2000 }, () => backoffMs(3, policy, {}, random) ?? -1);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThan(400);
    expect(waits.filter((w) => w < 200).length).toBeGreaterThan(800);
    expect(waits.filter((w) => w >= 200).length).toBeGreaterThan(800);
  });

  it("waits at least the upstream's Retry-After", () => {
    expect(backoffMs(1, policy, { retryAfterMs: 1500 }, () => 0.5)).toBe(1500);
    expect(backoffMs(4, policy, { retryAfterMs: 10 }, () => 0.5)).toBe(400);
  });

  it("gives up rather than wait past the deadline", () => {
    expect(backoffMs(1, policy, { remainingMs: 50 }, () => 0.9)).toBeNull();
    expect(backoffMs(1, policy, { remainingMs: 91 }, () => 0.9)).toBe(90);
    expect(backoffMs(1, policy, { retryAfterMs: 60_000 }, () => 0)).toBeNull();
    expect(backoffMs(1, { ...policy, deadlineMs: 10 }, {}, () => 0.5)).toBeNull();
  });
});

const upstream = (kind: UpstreamErrorKind, ownKey = false) => upstreamFailure("p", { kind, status: 500, message: "m" }, { ownKey });

describe("failureClass", () => {
  it.each<[string, unknown, FailureClass]>([
    ["upstream invalid request", upstream("invalid_request"), "client"],
    ["upstream context length", upstream("context_length"), "client"],
    ["upstream content policy", upstream("content_policy"), "content_policy"],
    ["gateway key rejected", upstream("authentication"), "server"],
    ["gateway key not permitted", upstream("permission"), "server"],
    ["upstream model not found", upstream("not_found"), "server"],
    ["tenant key rejected (BYOK)", upstream("authentication", true), "client"],
    ["tenant key not permitted (BYOK)", upstream("permission", true), "client"],
    ["upstream rate limit", upstream("rate_limit"), "rate_limit"],
    ["upstream overloaded", upstream("overloaded"), "unavailable"],
    ["upstream timeout", upstream("timeout"), "timeout"],
    ["upstream 5xx", upstream("server"), "server"],
    ["unreachable upstream (send)", new GatewayError("upstream_error", "could not be reached"), "server"],
    ["aborted upstream call (send)", new GatewayError("upstream_timeout", "aborted"), "timeout"],
    ["gateway's own rate limit", new GatewayError("rate_limit_exceeded", "slow down"), "client"],
    ["gateway's own 503", new GatewayError("service_unavailable", "busy"), "unavailable"],
    ["gateway config error", new GatewayError("config_error", "no key"), "server"],
    ["invalid request", new GatewayError("invalid_request", "bad"), "client"],
    ["adapter input error", new AdapterInputError("n > 1", "n"), "client"],
    ["malformed upstream body", new MalformedUpstreamResponse("not JSON"), "server"],
    ["abort", new DOMException("gone", "AbortError"), "aborted"],
    ["timeout signal", new DOMException("slow", "TimeoutError"), "timeout"],
    ["unknown error", new TypeError("boom"), "server"],
    ["non-error", "boom", "server"],
  ])("%s → %s", (_, err, expected) => expect(failureClass(err)).toBe(expected));

  it.each<[FailureClass, boolean, boolean]>([
    ["rate_limit", true, true],
    ["server", true, true],
    ["timeout", true, true],
    ["unavailable", true, true],
    ["content_policy", false, true],
    ["client", false, false],
    ["aborted", false, false],
  ])("%s: retryable %s, fallbackable %s", (failure, retry, fallback) => {
    expect(retryable(failure)).toBe(retry);
    expect(fallbackable(failure)).toBe(fallback);
  });
});
