import { type NewUsageEvent, usageEvents } from "../../../schema";
import type { Db } from "./db";

/**
 * Inserts events in one statement; an event whose request id is already stored is skipped, so a
 * retried flush never counts twice. Returns how many rows were new.
 */
export async function insertUsageEvents(db: Db, rows: NewUsageEvent[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(usageEvents)
    .values(rows)
    .onConflictDoNothing({ target: usageEvents.requestId })
    .returning({ id: usageEvents.requestId });
  return inserted.length;
}
