import { eq, sql } from "drizzle-orm";
import { type Feedback, feedback, usageEvents } from "../../../schema";
import type { Db } from "./db";

/** The tenant of the stored usage event with this request id, or null when none is stored (yet). */
export async function requestTenant(db: Db, requestId: string): Promise<string | null> {
  const [row] = await db.select({ tenantId: usageEvents.tenantId }).from(usageEvents).where(eq(usageEvents.requestId, requestId)).limit(1);
  return row?.tenantId ?? null;
}

/**
 * Stores a rating, replacing an earlier one of the same tenant (a second rating wins). A row stored
 * by another tenant is replaced only with `claim` (the request is verified as this tenant's), so a
 * tenant cannot overwrite another's rating, and squatting a request id it does not own gains nothing.
 * False when nothing was stored (another tenant's row stands).
 */
export async function upsertFeedback(
  db: Db,
  row: Pick<Feedback, "requestId" | "tenantId" | "score" | "comment">,
  { claim }: { claim: boolean },
): Promise<boolean> {
  const stored = await db
    .insert(feedback)
    .values(row)
    .onConflictDoUpdate({
      target: feedback.requestId,
      set: { tenantId: row.tenantId, score: row.score, comment: row.comment, createdAt: sql`now()` },
      setWhere: claim ? undefined : eq(feedback.tenantId, row.tenantId),
    })
    .returning({ requestId: feedback.requestId });
  return stored.length > 0;
}

/** The rating of a request, or null. */
export async function findFeedback(db: Db, requestId: string): Promise<Feedback | null> {
  const [row] = await db.select().from(feedback).where(eq(feedback.requestId, requestId)).limit(1);
  return row ?? null;
}
