import { and, asc, eq, gt, inArray, isNull, or, type SQL } from "drizzle-orm";
import { type ApiKey, apiKeys, type NewApiKey, tenants } from "../../../schema";
import { Limits, parseTenantSettings, type TenantSettings } from "../../config/tenant";
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
  /** The key's own limits. */
  limits: Limits;
  /** The tenant's settings (limits, budget, traffic policy), validated. */
  tenant: TenantSettings;
};

const recordColumns = {
  id: apiKeys.id,
  hash: apiKeys.hash,
  tenantId: apiKeys.tenantId,
  tenantStatus: tenants.status,
  scopes: apiKeys.scopes,
  models: apiKeys.models,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
  limits: apiKeys.limits,
  settings: tenants.settings,
};

type RecordRow = { hash: string; expiresAt: Date | null; revokedAt: Date | null; limits: unknown; settings: unknown } & Omit<
  KeyRecord,
  "expiresAt" | "revokedAt" | "limits" | "tenant"
>;

function toRecord({ hash: _hash, settings, limits, ...row }: RecordRow): KeyRecord {
  const parsedLimits = Limits.safeParse(limits ?? {});
  return {
    ...row,
    expiresAt: row.expiresAt?.getTime() ?? null,
    revokedAt: row.revokedAt?.getTime() ?? null,
    limits: parsedLimits.success ? parsedLimits.data : {},
    tenant: parseTenantSettings(settings),
  };
}

/** The key with this hash and its tenant, or null. @example await findKeyByHash(db, await hashApiKey(key)) */
export async function findKeyByHash(db: Db, hash: string): Promise<KeyRecord | null> {
  const [row] = await db
    .select(recordColumns)
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.hash, hash))
    .limit(1);
  return row ? toRecord(row) : null;
}

/**
 * The hot-path records of a tenant's keys with their hashes (the cache keys): `ids` only when given,
 * and with `live`, only keys that can still authenticate at `now` (not revoked, not expired).
 * @example for (const { hash, record } of await keyRecords(db, tenantId, { live: true })) ...
 */
export async function keyRecords(
  db: Db,
  tenantId: string,
  opts: { ids?: string[]; live?: boolean; now?: Date } = {},
): Promise<Array<{ hash: string; record: KeyRecord }>> {
  const conditions = [eq(apiKeys.tenantId, tenantId)];
  if (opts.ids) conditions.push(inArray(apiKeys.id, opts.ids));
  if (opts.live) {
    conditions.push(isNull(apiKeys.revokedAt));
    conditions.push(or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, opts.now ?? new Date())) as SQL);
  }
  const rows = await db
    .select(recordColumns)
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(and(...conditions));
  return rows.map((r) => ({ hash: r.hash, record: toRecord(r) }));
}

/**
 * A key by id, or null; with `tenantId`, only when it belongs to that tenant (a tenant admin never
 * sees another tenant's key, not even that it exists).
 * @example await findKey(db, "key_...", actorTenant)
 */
export async function findKey(db: Db, id: string, tenantId?: string): Promise<ApiKey | null> {
  const where = tenantId === undefined ? eq(apiKeys.id, id) : and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId));
  const [row] = await db.select().from(apiKeys).where(where).limit(1);
  return row ?? null;
}

/** A tenant's keys, oldest first (revoked and expired included). */
export function listKeys(db: Db, tenantId: string): Promise<ApiKey[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

/** Inserts a key; returns the query (await it, or pass it to `db.batch` with its audit entry). */
export const insertKey = (db: Db, row: NewApiKey) => db.insert(apiKeys).values(row).returning();

/**
 * Updates one key of one tenant; returns the query (await it, or pass it to `db.batch`).
 * @example await updateKey(db, { id, tenantId }, { revokedAt: new Date() })
 */
export const updateKey = (
  db: Db,
  where: { id: string; tenantId: string },
  set: Partial<Pick<ApiKey, "name" | "expiresAt" | "revokedAt" | "replacedBy">>,
) =>
  db
    .update(apiKeys)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(apiKeys.id, where.id), eq(apiKeys.tenantId, where.tenantId)))
    .returning();
