import { findKey } from "../storage/postgres/api-keys";
import { insertAudit } from "../storage/postgres/audit-log";
import { type DenyTarget, denyKey } from "../traffic/policy";
import { type AdminContext, mayManageTenant } from "./actor";
import { auditEntry } from "./audit";
import { adminTokenOnly, cacheNotUpdated, tenantNotFound } from "./errors";

export type DenyEntry = DenyTarget & { ttlSeconds?: number };

async function authorize(ctx: AdminContext, t: DenyTarget): Promise<void> {
  if (t.kind === "ip") {
    if (ctx.actor.kind !== "admin") throw adminTokenOnly("block client addresses");
    return;
  }
  const tenantId = t.tenantId ?? "";
  if (!mayManageTenant(ctx.actor, tenantId)) throw tenantNotFound(tenantId);
  if (t.kind === "key" && !(await findKey(ctx.db, t.value, tenantId))) throw tenantNotFound(tenantId);
}

/**
 * Blocks a key, a tenant's end user, or (admin token only) a client address: their requests get
 * 403 at the next preflight. The entry lives in Redis (optionally expiring) and is audited.
 * @throws GatewayError not_found (another tenant's object), permission_denied, service_unavailable.
 */
export async function addDeny(ctx: AdminContext, entry: DenyEntry): Promise<void> {
  await authorize(ctx, entry);
  const key = denyKey(ctx.env.REDIS_KEY_PREFIX, entry);
  try {
    await (entry.ttlSeconds ? ctx.redis.set(key, 1, { ex: entry.ttlSeconds }) : ctx.redis.set(key, 1));
  } catch (err) {
    throw cacheNotUpdated(err);
  }
  await insertAudit(
    ctx.db,
    auditEntry(ctx, {
      tenantId: entry.tenantId ?? null,
      action: "deny.add",
      target: { type: "deny", id: `${entry.kind}:${entry.value}` },
      before: null,
      after: entry,
    }),
  );
}

/** Lifts a block (same rules as addDeny). */
export async function removeDeny(ctx: AdminContext, target: DenyTarget): Promise<void> {
  await authorize(ctx, target);
  try {
    await ctx.redis.del(denyKey(ctx.env.REDIS_KEY_PREFIX, target));
  } catch (err) {
    throw cacheNotUpdated(err);
  }
  await insertAudit(
    ctx.db,
    auditEntry(ctx, {
      tenantId: target.tenantId ?? null,
      action: "deny.remove",
      target: { type: "deny", id: `${target.kind}:${target.value}` },
      before: target,
      after: null,
    }),
  );
}
