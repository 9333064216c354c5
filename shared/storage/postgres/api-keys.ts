import { eq } from "drizzle-orm";
import { apiKeys, tenants } from "../../../schema";
import type { Db } from "./db";

/** A key joined with what the hot path needs of its tenant. Dates as epoch ms (it is cached as JSON). */
export type KeyRecord = {
  id: string;
  tenantId: string;
  tenantStatus: "active" | "suspended";
  scopes: string[];
  models: string[] | null;
  expiresAt: number | null;
  revokedAt: number | null;
};

/** The key with this hash and its tenant, or null. @example await findKeyByHash(db, await hashApiKey(key)) */
export async function findKeyByHash(db: Db, hash: string): Promise<KeyRecord | null> {
  const [row] = await db
    .select({
      id: apiKeys.id,
      tenantId: apiKeys.tenantId,
      tenantStatus: tenants.status,
      scopes: apiKeys.scopes,
      models: apiKeys.models,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.hash, hash))
    .limit(1);
  if (!row) return null;
  return { ...row, expiresAt: row.expiresAt?.getTime() ?? null, revokedAt: row.revokedAt?.getTime() ?? null };
}
