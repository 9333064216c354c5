import { asc, eq } from "drizzle-orm";
import { type AuditEntry, auditLog, type NewAuditEntry } from "../../../schema";
import type { Db } from "./db";

/** Appends an audit entry; returns the query (pass it to `db.batch` with the change it records). */
export const insertAudit = (db: Db, entry: NewAuditEntry) => db.insert(auditLog).values(entry);

/** A tenant's audit entries, oldest first. */
export function listAudit(db: Db, tenantId: string, limit = 1000): Promise<AuditEntry[]> {
  return db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(asc(auditLog.id)).limit(limit);
}
