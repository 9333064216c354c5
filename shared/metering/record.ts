import type { Db } from "../storage/postgres/db";
import { insertUsageEvents } from "../storage/postgres/usage-events";
import type { Postflight } from "../traffic/plan";
import type { TrafficScripts } from "../traffic/scripts";
import { toRow, USAGE_STREAM, type UsageEventJson } from "./usage-event";

export type RecordDeps = { traffic: TrafficScripts; db: Db; keyPrefix: string };

export type Recorded = { outcome: "buffered" | "direct" | "logged"; budgetSpent?: number };

/**
 * Finishes a request in one Redis command (the postflight script): settles its reservations
 * (`settle`), releases its in-flight slot, writes its cache entry and buffers its usage event in
 * the stream. When Redis fails, the event goes straight to Postgres; when that fails too, it is
 * logged as one JSON line tagged for replay: an event is never dropped silently. Runs after the
 * response (waitUntil).
 */
export async function recordUsage(
  deps: RecordDeps,
  event: UsageEventJson,
  settle: Omit<Postflight, "usage"> = { tokens: [] },
): Promise<Recorded> {
  try {
    const { budgetSpent } = await deps.traffic.postflight({
      ...settle,
      usage: { stream: `${deps.keyPrefix}${USAGE_STREAM}`, event: JSON.stringify(event) },
    });
    return { outcome: "buffered", ...(budgetSpent !== undefined ? { budgetSpent } : {}) };
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
      return { outcome: "direct" };
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
      return { outcome: "logged" };
    }
  }
}
