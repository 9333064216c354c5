import type { Redis } from "@upstash/redis/cloudflare";
import { KEY_CACHE_TTL_S, keyCacheKey } from "../auth/authenticate";
import type { KeyRecord } from "../storage/postgres/api-keys";
import { cacheNotUpdated } from "./errors";

/**
 * Overwrites the cached records of these keys in Redis, so every isolate sees an admin change
 * (revocation, new expiry, tenant suspension) at its next Redis read, i.e. within its isolate cache
 * time (≤ 1 s). Overwritten, not deleted: a concurrent fill from an older Postgres read uses NX and
 * therefore cannot bring the stale record back.
 * @throws GatewayError service_unavailable when Redis cannot be written (the change itself is saved).
 */
export async function overwriteKeyRecords(
  redis: Redis,
  keyPrefix: string,
  entries: ReadonlyArray<{ hash: string; record: KeyRecord }>,
): Promise<void> {
  if (entries.length === 0) return;
  const pipeline = redis.pipeline();
  for (const { hash, record } of entries) pipeline.set(keyCacheKey(keyPrefix, hash), record, { ex: KEY_CACHE_TTL_S });
  try {
    await pipeline.exec();
  } catch (err) {
    throw cacheNotUpdated(err);
  }
}
