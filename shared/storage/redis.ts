import { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../config/env";

/**
 * The Upstash Redis REST client for this env. Stateless over HTTP, so one per isolate is enough.
 * Locally `UPSTASH_REDIS_REST_URL` points at the stand-in in `local/redis-rest/`.
 * @example const redis = createRedis(env); await redis.get(`${env.REDIS_KEY_PREFIX}k`);
 */
export function createRedis(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // A failed Redis call must fail fast: the gateway serves without Redis (DESIGN.md failure policy).
    retry: { retries: 1, backoff: () => 20 },
    // Auto-pipelining batches commands of concurrent requests into one fetch; on Workers an I/O
    // object belongs to the request that created it, so another request awaiting it fails or hangs.
    enableAutoPipelining: false,
  });
}
