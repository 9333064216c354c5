import type { Context } from "hono";
import { type FailureThrottle, failureThrottle } from "../../shared/auth/failure-throttle";
import { GatewayError } from "../../shared/errors/gateway-error";
import type { HonoEnv } from "../env";

// Isolate-scoped on purpose: the throttle holds @upstash/ratelimit's cache of blocked addresses.
const throttles = new WeakMap<object, FailureThrottle>();

/**
 * Runs an authentication attempt; when it fails with `invalid_api_key` and the caller's address is
 * known (`cf-connecting-ip`, set by Cloudflare), counts the failure, and past the limit answers
 * 429 and puts the address on the deny list for a while. Successful attempts cost nothing extra.
 * @example const { key } = await countingFailures(c, () => authenticate(deps, presented));
 */
export async function countingFailures<T>(c: Context<HonoEnv>, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    const ip = c.req.header("cf-connecting-ip");
    if (!ip || !(err instanceof GatewayError) || err.code !== "invalid_api_key") throw err;
    const { redis, env } = c.get("services");
    let throttle = throttles.get(redis);
    if (!throttle) {
      throttle = failureThrottle(redis, env.REDIS_KEY_PREFIX);
      throttles.set(redis, throttle);
    }
    const verdict = await throttle.failed(ip).catch(() => undefined);
    if (verdict) c.executionCtx.waitUntil(verdict.pending);
    if (verdict?.blocked) {
      throw new GatewayError(
        "rate_limit_exceeded",
        "Too many failed authentication attempts from this address; it is blocked for a while.",
        {
          retryAfterMs: verdict.retryAfterMs,
        },
      );
    }
    throw err;
  }
}
