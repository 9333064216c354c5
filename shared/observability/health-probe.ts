import { sql } from "drizzle-orm";
import type { Services } from "../services";
import { type Check, checkAll } from "./readiness";

/** Redis key (after the prefix) holding the last scheduled probe. */
export const HEALTH_KEY = "health:last";

/** Probes Redis, Postgres and Vector within `timeoutMs` each. */
export function probeStores(
  { redis, db, vector }: Pick<Services, "redis" | "db" | "vector">,
  timeoutMs = 3000,
): Promise<Record<string, Check>> {
  return checkAll({ redis: () => redis.ping(), postgres: () => db.execute(sql`select 1`), vector: () => vector.info() }, timeoutMs);
}

/**
 * The cron's health probe: probes the stores and records the result in Redis (10 min TTL), where
 * alerting reads it. Redis being down is itself recorded as a failed check.
 */
export async function recordHealth(services: Services, now = Date.now()): Promise<Record<string, Check>> {
  const checks = await probeStores(services);
  await services.redis.set(`${services.env.REDIS_KEY_PREFIX}${HEALTH_KEY}`, { at: now, checks }, { ex: 600 }).catch(() => {});
  return checks;
}
