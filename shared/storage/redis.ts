import { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../config/env";

export type RedisOptions = {
  /**
   * Leave replies as Redis sent them (no JSON parsing): for scripts whose replies hold codes and
   * stored text that must stay strings. @default false
   */
  raw?: boolean;
};

/**
 * An Upstash Redis REST client for this env. Stateless over HTTP, so one per isolate (per kind) is
 * enough. Locally `UPSTASH_REDIS_REST_URL` points at the stand-in in `local/redis-rest/`.
 * @example const redis = createRedis(env); await redis.get(`${env.REDIS_KEY_PREFIX}k`);
 */
export function createRedis(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">, opts: RedisOptions = {}): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // A failed Redis call must fail fast: the gateway serves without Redis (DESIGN.md failure policy).
    retry: { retries: 1, backoff: () => 20 },
    // Auto-pipelining batches commands of concurrent requests into one fetch; on Workers an I/O
    // object belongs to the request that created it, so another request awaiting it fails or hangs.
    enableAutoPipelining: false,
    // Every value the gateway stores is UTF-8 text (JSON, base64 of sealed entries): the REST
    // API's base64 transport encoding would only cost CPU to decode on every reply.
    responseEncoding: false,
    // No SDK telemetry headers (runtime, platform, SDK version) on every call.
    enableTelemetry: false,
    ...(opts.raw ? { automaticDeserialization: false } : {}),
  });
}
