import { eq } from "drizzle-orm";
import { type NewTenant, type Tenant, tenants } from "../../../schema";
import type { Db } from "./db";

/** The tenant, or null. @example await findTenant(db, "ten_...") */
export async function findTenant(db: Db, id: string): Promise<Tenant | null> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id)).limit(1);
  return row ?? null;
}

/** Inserts a tenant; returns the query (await it, or pass it to `db.batch` with its audit entry). */
export const insertTenant = (db: Db, row: NewTenant) => db.insert(tenants).values(row).returning();

/** Updates a tenant; returns the query (await it, or pass it to `db.batch`). */
export const updateTenant = (db: Db, id: string, set: Partial<Pick<Tenant, "name" | "status" | "settings">>) =>
  db
    .update(tenants)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(tenants.id, id))
    .returning();
