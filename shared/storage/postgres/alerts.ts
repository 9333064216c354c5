import { and, desc, eq } from "drizzle-orm";
import { type Alert, alerts, type NewAlert } from "../../../schema";
import type { Db } from "./db";

/** Raises an alert unless the same tenant, kind and period already has one; true when it is new. */
export async function raiseAlert(db: Db, alert: NewAlert): Promise<boolean> {
  const rows = await db
    .insert(alerts)
    .values(alert)
    .onConflictDoNothing({ target: [alerts.tenantId, alerts.kind, alerts.period] })
    .returning({ id: alerts.id });
  return rows.length > 0;
}

/** A tenant's alerts, newest first. */
export function listAlerts(db: Db, tenantId: string, kind?: string): Promise<Alert[]> {
  const where = kind ? and(eq(alerts.tenantId, tenantId), eq(alerts.kind, kind)) : eq(alerts.tenantId, tenantId);
  return db.select().from(alerts).where(where).orderBy(desc(alerts.createdAt)).limit(100);
}
