import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { usageEvents } from "../../../schema";
import type { Db } from "./db";

export const USAGE_GROUPS = ["day", "model", "key"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export type UsageTotals = {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
  costUsd: number;
  cacheHits: number;
  savedMicroUsd: number;
  savedUsd: number;
  errors: number;
};

export type UsageReport = { data: Array<{ group: string | null } & UsageTotals>; totals: UsageTotals };

const GROUP_BY: Record<UsageGroup, SQL> = {
  day: sql`to_char(${usageEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
  model: sql`${usageEvents.modelRequested}`,
  key: sql`${usageEvents.keyId}`,
};

const measures = {
  requests: sql<string>`count(*)`,
  promptTokens: sql<string>`coalesce(sum(${usageEvents.promptTokens}), 0)`,
  completionTokens: sql<string>`coalesce(sum(${usageEvents.completionTokens}), 0)`,
  costMicroUsd: sql<string>`coalesce(sum(${usageEvents.costMicroUsd}), 0)`,
  cacheHits: sql<string>`count(*) filter (where ${usageEvents.cacheStatus} in ('hit', 'semantic-hit'))`,
  savedMicroUsd: sql<string>`coalesce(sum(${usageEvents.savedMicroUsd}), 0)`,
  errors: sql<string>`count(*) filter (where ${usageEvents.status} >= 400 or ${usageEvents.errorCode} is not null)`,
};

function totals(row: Record<keyof typeof measures, string | number>): UsageTotals {
  const n = (k: keyof typeof measures) => Number(row[k]);
  return {
    requests: n("requests"),
    promptTokens: n("promptTokens"),
    completionTokens: n("completionTokens"),
    costMicroUsd: n("costMicroUsd"),
    costUsd: n("costMicroUsd") / 1_000_000,
    cacheHits: n("cacheHits"),
    savedMicroUsd: n("savedMicroUsd"),
    savedUsd: n("savedMicroUsd") / 1_000_000,
    errors: n("errors"),
  };
}

/**
 * A tenant's usage between `from` (inclusive) and `to` (exclusive), grouped, with totals. Only
 * that tenant's rows are ever read.
 */
export async function usageReport(db: Db, tenantId: string, range: { from: Date; to: Date; groupBy: UsageGroup }): Promise<UsageReport> {
  const where = and(eq(usageEvents.tenantId, tenantId), gte(usageEvents.createdAt, range.from), lt(usageEvents.createdAt, range.to));
  const group = GROUP_BY[range.groupBy];
  const [rows, [all]] = await db.batch([
    db
      .select({ group: sql<string | null>`${group}`, ...measures })
      .from(usageEvents)
      .where(where)
      .groupBy(group)
      .orderBy(group),
    db.select(measures).from(usageEvents).where(where),
  ]);
  return {
    data: rows.map((r) => ({ group: r.group, ...totals(r) })),
    totals: totals(
      all ?? { requests: 0, promptTokens: 0, completionTokens: 0, costMicroUsd: 0, cacheHits: 0, savedMicroUsd: 0, errors: 0 },
    ),
  };
}

/** A tenant's stored spend (micro-USD) since `from`: rebuilds a lost budget counter. */
export async function spendSince(db: Db, tenantId: string, from: Date): Promise<number> {
  const [row] = await db
    .select({ spent: sql<string>`coalesce(sum(${usageEvents.costMicroUsd}), 0)` })
    .from(usageEvents)
    .where(and(eq(usageEvents.tenantId, tenantId), gte(usageEvents.createdAt, from)));
  return Number(row?.spent ?? 0);
}

/** How a tenant's requests since `from` went through the cache, and what hits saved. */
export async function cacheStats(
  db: Db,
  tenantId: string,
  from: Date,
): Promise<Record<"hit" | "semantic-hit" | "miss" | "bypass", number> & { savedMicroUsd: number }> {
  const rows = await db
    .select({
      status: usageEvents.cacheStatus,
      n: sql<string>`count(*)`,
      saved: sql<string>`coalesce(sum(${usageEvents.savedMicroUsd}), 0)`,
    })
    .from(usageEvents)
    .where(and(eq(usageEvents.tenantId, tenantId), gte(usageEvents.createdAt, from)))
    .groupBy(usageEvents.cacheStatus);
  const out = { hit: 0, "semantic-hit": 0, miss: 0, bypass: 0, savedMicroUsd: 0 };
  for (const r of rows) {
    out[r.status] = Number(r.n);
    out.savedMicroUsd += Number(r.saved);
  }
  return out;
}
