import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis/cloudflare";
import { denyKey } from "../traffic/policy";

export type ThrottleOptions = {
  /** Failed authentications allowed per address per minute. @default 20 */
  failuresPerMinute?: number;
  /** How long an address that exceeded them stays on the deny list. @default 600 */
  penaltySeconds?: number;
};

export type FailureThrottle = {
  /**
   * Counts one failed authentication from `ip`. Past the limit the address goes on the deny list
   * for the penalty period, so even a correct key is refused from it (guessing stops paying off).
   * `pending` is @upstash/ratelimit's background work, for waitUntil.
   */
  failed(ip: string): Promise<{ blocked: boolean; retryAfterMs: number; pending: Promise<unknown> }>;
};

/**
 * Brute-force protection on the failure path only, so a valid request never pays for it. Uses
 * @upstash/ratelimit (sliding window, with its per-isolate cache of blocked addresses).
 * @example const throttle = failureThrottle(redis, "ew:"); await throttle.failed(ip);
 */
export function failureThrottle(redis: Redis, prefix: string, opts: ThrottleOptions = {}): FailureThrottle {
  const penalty = opts.penaltySeconds ?? 600;
  const limiter = new Ratelimit({
    redis,
    prefix: `${prefix}authfail`,
    limiter: Ratelimit.slidingWindow(opts.failuresPerMinute ?? 20, "60 s"),
    // Isolate-scoped on purpose (the library's design): a blocked address is refused from memory.
    ephemeralCache: new Map(),
    analytics: false,
  });
  return {
    async failed(ip) {
      const { success, pending } = await limiter.limit(ip);
      if (success) return { blocked: false, retryAfterMs: 0, pending };
      await redis.set(denyKey(prefix, { kind: "ip", value: ip }), 1, { ex: penalty });
      return { blocked: true, retryAfterMs: penalty * 1000, pending };
    },
  };
}
