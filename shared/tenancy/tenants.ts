import type { Tenant } from "../../schema";
import { CacheSettings, type CacheSettingsInput } from "../cache/settings";
import { type Budget, type Limits, parseTenantSettings, type TenantSettings, type TrafficSettings } from "../config/tenant";
import type { RoutingSettings } from "../registry/settings";
import { keyRecords } from "../storage/postgres/api-keys";
import { insertAudit } from "../storage/postgres/audit-log";
import { findTenant, insertTenant, updateTenant as updateTenantRow } from "../storage/postgres/tenants";
import { type AdminContext, mayManageTenant } from "./actor";
import { auditEntry } from "./audit";
import { adminTokenOnly, tenantNotFound } from "./errors";
import { newId } from "./ids";
import { overwriteKeyRecords } from "./key-cache";

/** A tenant as the admin API shows it. */
export type TenantView = {
  id: string;
  name: string;
  status: "active" | "suspended";
  limits: Limits;
  budget: Budget | null;
  traffic: TrafficSettings;
  cache: CacheSettings;
  routing: RoutingSettings;
  createdAt: string;
  updatedAt: string;
};

export type NewTenantInput = { name: string; limits?: Limits; budget?: Budget; traffic?: TrafficSettings };
/** `limits` and `traffic` replace the tenant's (`{}` removes them); `budget: null` removes the budget. */
export type TenantPatch = {
  name?: string;
  status?: "active" | "suspended";
  limits?: Limits;
  budget?: Budget | null;
  traffic?: TrafficSettings;
  cache?: CacheSettingsInput;
  routing?: RoutingSettings;
};

/** The admin API view of a tenant row. */
export function tenantView(row: Tenant): TenantView {
  const { limits, budget, traffic, cache, routing } = parseTenantSettings(row.settings);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    limits: limits ?? {},
    budget: budget ?? null,
    traffic: traffic ?? {},
    cache: cache ?? CacheSettings.parse({}),
    routing: routing ?? {},
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the audit log records of a tenant (no timestamps: they are the row's own). */
const snapshot = ({ name, status, limits, budget, traffic, cache, routing }: TenantView) => ({
  name,
  status,
  limits,
  budget,
  traffic,
  cache,
  routing,
});

function withSettings(
  current: TenantSettings,
  patch: Pick<TenantPatch, "limits" | "budget" | "traffic" | "cache" | "routing">,
): TenantSettings {
  const next: TenantSettings = { ...current };
  if (patch.limits !== undefined) next.limits = patch.limits;
  if (patch.traffic !== undefined) next.traffic = patch.traffic;
  if (patch.cache !== undefined) next.cache = CacheSettings.parse(patch.cache);
  if (patch.routing !== undefined) next.routing = patch.routing;
  if (next.routing && Object.keys(next.routing).length === 0) delete next.routing;
  if (next.traffic && Object.keys(next.traffic).length === 0) delete next.traffic;
  if (patch.budget !== undefined) next.budget = patch.budget ?? undefined;
  if (next.limits && Object.keys(next.limits).length === 0) delete next.limits;
  if (next.budget === undefined) delete next.budget;
  return next;
}

/**
 * Creates a tenant (admin token only), with its audit entry in the same transaction.
 * @throws GatewayError permission_denied for a tenant actor.
 */
export async function createTenant(ctx: AdminContext, input: NewTenantInput): Promise<TenantView> {
  if (ctx.actor.kind !== "admin") throw adminTokenOnly("create tenants");
  const id = newId("ten");
  const settings = withSettings({}, { limits: input.limits, budget: input.budget, traffic: input.traffic });
  const view = tenantView({ id, name: input.name, status: "active", settings, createdAt: new Date(), updatedAt: new Date() });
  const [[row]] = await ctx.db.batch([
    insertTenant(ctx.db, { id, name: input.name, settings }),
    insertAudit(
      ctx.db,
      auditEntry(ctx, { tenantId: id, action: "tenant.create", target: { type: "tenant", id }, before: null, after: snapshot(view) }),
    ),
  ]);
  if (!row) throw new Error("tenant insert returned no row");
  return tenantView(row);
}

/** The tenant row, when it exists and the actor may manage it. @throws GatewayError not_found */
export async function loadTenant(ctx: Pick<AdminContext, "db" | "actor">, id: string): Promise<Tenant> {
  if (!mayManageTenant(ctx.actor, id)) throw tenantNotFound(id);
  const row = await findTenant(ctx.db, id);
  if (!row) throw tenantNotFound(id);
  return row;
}

/** The tenant. @throws GatewayError not_found (also for another tenant's id) */
export async function getTenant(ctx: AdminContext, id: string): Promise<TenantView> {
  return tenantView(await loadTenant(ctx, id));
}

/**
 * Changes a tenant. A change of status or settings rewrites the cached records of the tenant's live
 * keys, so a suspension stops them (and a new limit applies) within the isolate cache time (≤ 1 s).
 * Status and limits are the operator's: a tenant actor may change its name and budget only.
 * @throws GatewayError not_found, permission_denied, service_unavailable (saved, cache not updated).
 */
export async function updateTenant(ctx: AdminContext, id: string, patch: TenantPatch): Promise<TenantView> {
  const row = await loadTenant(ctx, id);
  if (ctx.actor.kind !== "admin" && (patch.status !== undefined || patch.limits !== undefined || patch.traffic !== undefined)) {
    throw adminTokenOnly("change a tenant's status, limits or traffic settings");
  }
  const before = tenantView(row);
  const settings = withSettings(parseTenantSettings(row.settings), patch);
  const next = { name: patch.name ?? row.name, status: patch.status ?? row.status, settings };
  const after = tenantView({ ...row, ...next });
  let result = before;
  if (JSON.stringify(snapshot(after)) !== JSON.stringify(snapshot(before))) {
    const [[updated]] = await ctx.db.batch([
      updateTenantRow(ctx.db, id, next),
      insertAudit(
        ctx.db,
        auditEntry(ctx, {
          tenantId: id,
          action: "tenant.update",
          target: { type: "tenant", id },
          before: snapshot(before),
          after: snapshot(after),
        }),
      ),
    ]);
    if (!updated) throw tenantNotFound(id);
    result = tenantView(updated);
  }
  // Cached key records carry the tenant's status and settings. Also when unchanged: repeating a
  // change is how a caller repairs a failed cache write.
  if (
    patch.status !== undefined ||
    patch.limits !== undefined ||
    patch.budget !== undefined ||
    patch.traffic !== undefined ||
    patch.cache !== undefined ||
    patch.routing !== undefined
  ) {
    await overwriteKeyRecords(ctx.redis, ctx.env.REDIS_KEY_PREFIX, await keyRecords(ctx.db, id, { live: true }));
  }
  return result;
}
