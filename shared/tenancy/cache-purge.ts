import type { Index } from "@upstash/vector/cloudflare";
import { EXACT_KEY_PREFIX } from "../cache/keys";
import { forget, purgeTenant } from "../cache/semantic/store";
import { insertAudit } from "../storage/postgres/audit-log";
import type { AdminContext } from "./actor";
import { auditEntry } from "./audit";

/**
 * Deletes a tenant's cached answers: every exact entry in Redis (SCAN by the tenant's prefix) and
 * its semantic namespace in Vector; or only one entry when `entryId` is given. Audited.
 * @returns how many Redis entries were deleted
 */
export async function purgeCache(ctx: AdminContext & { vector: Index }, tenantId: string, entryId?: string): Promise<number> {
  const base = `${ctx.env.REDIS_KEY_PREFIX}${EXACT_KEY_PREFIX}${tenantId}:`;
  let deleted = 0;
  if (entryId) {
    deleted = await ctx.redis.del(`${base}${entryId}`);
    await forget(ctx.vector, tenantId, entryId).catch(() => {});
  } else {
    let cursor = "0";
    do {
      const [next, keys] = await ctx.redis.scan(cursor, { match: `${base}*`, count: 500 });
      if (keys.length) deleted += await ctx.redis.del(...keys);
      cursor = String(next);
    } while (cursor !== "0");
    await purgeTenant(ctx.vector, tenantId).catch(() => {});
  }
  await insertAudit(
    ctx.db,
    auditEntry(ctx, { tenantId, action: "cache.purge", target: { type: "cache", id: entryId ?? "*" }, before: null, after: { deleted } }),
  );
  return deleted;
}
