import { and, asc, eq, sql } from "drizzle-orm";
import { type NewProviderCredential, type ProviderCredential, providerCredentials } from "../../../schema";
import type { Db } from "./db";

/** A tenant's provider credentials (ciphertexts), by provider. */
export function listCredentials(db: Db, tenantId: string): Promise<ProviderCredential[]> {
  return db.select().from(providerCredentials).where(eq(providerCredentials.tenantId, tenantId)).orderBy(asc(providerCredentials.provider));
}

/** The tenant's credential for one provider, or null. */
export async function findCredential(db: Db, tenantId: string, provider: string): Promise<ProviderCredential | null> {
  const [row] = await db
    .select()
    .from(providerCredentials)
    .where(and(eq(providerCredentials.tenantId, tenantId), eq(providerCredentials.provider, provider)))
    .limit(1);
  return row ?? null;
}

/** Inserts or replaces the tenant's credential for a provider; returns the query (for `db.batch`). */
export const upsertCredential = (db: Db, row: NewProviderCredential) =>
  db
    .insert(providerCredentials)
    .values(row)
    .onConflictDoUpdate({
      target: [providerCredentials.tenantId, providerCredentials.provider],
      set: { ciphertext: row.ciphertext, hint: row.hint, updatedAt: sql`now()` },
    })
    .returning();

/** Deletes the tenant's credential for a provider; returns the query (for `db.batch`). */
export const deleteCredential = (db: Db, tenantId: string, provider: string) =>
  db
    .delete(providerCredentials)
    .where(and(eq(providerCredentials.tenantId, tenantId), eq(providerCredentials.provider, provider)))
    .returning();
