import type { Redis } from "@upstash/redis/cloudflare";
import type { Db } from "../storage/postgres/db";
import { insertUsageEvents } from "../storage/postgres/usage-events";
import { toRow, USAGE_STREAM, type UsageEventJson } from "./usage-event";

export type RecordDeps = { redis: Redis; db: Db; keyPrefix: string };

/**
 * Buffers one usage event in the Redis stream (one command). When Redis fails, writes it straight
 * to Postgres; when that fails too, logs it as one JSON line tagged for replay: an event is never
 * dropped silently. Runs after the response (waitUntil).
 */
export async function recordUsage(deps: RecordDeps, event: UsageEventJson): Promise<"buffered" | "direct" | "logged"> {
  try {
    await deps.redis.xadd(`${deps.keyPrefix}${USAGE_STREAM}`, "*", { e: JSON.stringify(event) });
    return "buffered";
  } catch (redisError) {
    try {
      await insertUsageEvents(deps.db, [toRow(event)]);
      console.warn(
        JSON.stringify({
          level: "warn",
          msg: "usage stream unavailable; event written directly",
          requestId: event.requestId,
          error: String(redisError),
        }),
      );
      return "direct";
    } catch (dbError) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "usage event not stored",
          replay: "usage_event",
          event,
          redisError: String(redisError),
          dbError: String(dbError),
        }),
      );
      return "logged";
    }
  }
}
