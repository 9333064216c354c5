import { eq, sql } from "drizzle-orm";
import { apiKeys, type NewUsageEvent, usageEvents } from "../../../schema";
import type { Db } from "./db";

/**
 * Inserts events in one batch (one transaction); an event whose request id is already stored is
 * skipped, so a retried flush never counts twice. The same batch moves each key's `last_used_at`
 * forward to its newest event, so the hot path never writes it. Returns how many rows were new.
 */
export async function insertUsageEvents(db: Db, rows: NewUsageEvent[]): Promise<number> {
  if (rows.length === 0) return 0;
  const lastUsed = new Map<string, Date>();
  for (const row of rows) {
    if (!row.keyId) continue;
    const seen = lastUsed.get(row.keyId);
    if (!seen || seen < row.createdAt) lastUsed.set(row.keyId, row.createdAt);
  }
  const insert = db
    .insert(usageEvents)
    .values(rows)
    .onConflictDoNothing({ target: usageEvents.requestId })
    .returning({ id: usageEvents.requestId });
  const touches = [...lastUsed].map(([id, at]) =>
    db
      .update(apiKeys)
      .set({ lastUsedAt: sql`greatest(coalesce(${apiKeys.lastUsedAt}, ${at}), ${at})` })
      .where(eq(apiKeys.id, id)),
  );
  const [inserted] = await db.batch([insert, ...touches]);
  return inserted.length;
}
