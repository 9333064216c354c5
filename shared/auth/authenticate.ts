import type { Redis } from "@upstash/redis/cloudflare";
import { GatewayError } from "../errors/gateway-error";
import { afterResponse } from "../runtime/defer";
import { findKeyByHash, type KeyRecord } from "../storage/postgres/api-keys";
import type { Db } from "../storage/postgres/db";
import { hashApiKey, looksLikeApiKey } from "./keys";

export type AuthDeps = { redis: Redis; db: Db; keyPrefix: string; now?: () => number };

/** How long a key record may be served from this isolate's memory before Redis is asked again. */
export const ISOLATE_TTL_MS = 1000;
/**
 * While one request re-reads an expired record, the isolate's other requests keep serving it this
 * much longer instead of each reading Redis too (a busy isolate would otherwise send one GET per
 * request that arrives during the refresh). So a record is at most 1.25 s old, inside the 2 s a
 * revocation is promised to take.
 */
export const REFRESH_GRACE_MS = 250;
/**
 * In its last this-many ms, a record served from memory is also re-read once the response is
 * written, so a key in steady use (a request every quarter second or more often, per isolate) never
 * waits for Redis on the request path. The re-read record is fresh for `ISOLATE_TTL_MS` from the
 * request that asked for it, so nothing is served older than before.
 */
export const REFRESH_AHEAD_MS = 250;
/** How long a key record lives in Redis; admin changes (revoke, rotate, suspend) overwrite it. */
export const KEY_CACHE_TTL_S = 300;

/** The Redis key caching the record of the key with this hash. */
export const keyCacheKey = (keyPrefix: string, hash: string) => `${keyPrefix}key:${hash}`;

// Isolate-scoped on purpose: a warm isolate authenticates without any round trip for ≤ 1 s.
// `refreshing`: a request is re-reading the record, expired or in its last `REFRESH_AHEAD_MS` (a
// plain flag, never a promise: on Workers a request cannot wait on another request's I/O).
const isolateCache = new Map<string, { record: KeyRecord | null; until: number; refreshing?: boolean }>();

/** Whether this isolate may serve the record without a round trip: fresh, or in its grace while another request refreshes it. */
const servable = (entry: { until: number; refreshing?: boolean }, now: number) =>
  now < entry.until || (entry.refreshing === true && now < entry.until + REFRESH_GRACE_MS);

/**
 * Reads the record from Redis, else Postgres (then `pending` fills Redis: NX, so an admin change
 * that overwrote the entry while this read was in flight wins over it). Null: no such key.
 */
async function readRecord(
  deps: AuthDeps,
  hash: string,
  redisKey: string,
): Promise<{ record: KeyRecord | null; pending?: Promise<unknown> }> {
  const fromRedis = await deps.redis.get<KeyRecord | { missing: true }>(redisKey).then(
    // A record cached by an older release (without `tenant`) is read again from Postgres.
    (hit) => (hit === null ? undefined : "missing" in hit ? null : "tenant" in hit ? hit : undefined),
    () => undefined,
  );
  if (fromRedis !== undefined) return { record: fromRedis };
  const record = await findKeyByHash(deps.db, hash);
  const pending = deps.redis.set(redisKey, record ?? { missing: true }, { ex: record ? KEY_CACHE_TTL_S : 5, nx: true }).catch(() => {});
  return { record, pending };
}

const invalidKey = () =>
  new GatewayError("invalid_api_key", "Incorrect API key provided. You can find your Edgeway key in your dashboard or ask your admin.");

/**
 * Resolves a presented key to its record: isolate memory (≤ 1 s, plus `REFRESH_GRACE_MS` while
 * another request refreshes it; in its last `REFRESH_AHEAD_MS` it is re-read after the response),
 * then Redis, then Postgres (the Redis fill is returned as `pending` so the caller can defer it
 * with waitUntil).
 * @throws GatewayError invalid_api_key for unknown, malformed, revoked or expired keys and suspended tenants.
 */
export async function authenticate(deps: AuthDeps, presented: string | undefined): Promise<{ key: KeyRecord; pending?: Promise<unknown> }> {
  if (!presented || !looksLikeApiKey(presented)) throw invalidKey();
  const now = deps.now?.() ?? Date.now();
  const hash = await hashApiKey(presented);
  const redisKey = keyCacheKey(deps.keyPrefix, hash);
  let record: KeyRecord | null | undefined;
  let pending: Promise<unknown> | undefined;

  const cached = isolateCache.get(hash);
  if (cached && servable(cached, now)) {
    record = cached.record;
    if (!cached.refreshing && now >= cached.until - REFRESH_AHEAD_MS) {
      cached.refreshing = true;
      afterResponse(async () => {
        const read = await readRecord(deps, hash, redisKey);
        isolateCache.set(hash, { record: read.record, until: now + ISOLATE_TTL_MS });
        await read.pending;
      });
    }
  } else {
    if (cached) cached.refreshing = true;
    ({ record, pending } = await readRecord(deps, hash, redisKey));
    // Only a fresh read restarts the isolate TTL: a busy key must not keep its record forever.
    isolateCache.set(hash, { record, until: now + ISOLATE_TTL_MS });
  }

  if (!record || record.revokedAt !== null || record.tenantStatus !== "active") throw invalidKey();
  if (record.expiresAt !== null && record.expiresAt <= now) throw invalidKey();
  return { key: record, pending };
}
