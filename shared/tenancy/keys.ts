import type { ApiKey } from "../../schema";
import { displayPrefix, hashApiKey, newApiKey } from "../auth/keys";
import type { Env } from "../config/env";
import { type KeyScope, type Limits, Limits as LimitsSchema } from "../config/tenant";
import { GatewayError } from "../errors/gateway-error";
import { findKey, insertKey, keyRecords, listKeys, updateKey } from "../storage/postgres/api-keys";
import { insertAudit } from "../storage/postgres/audit-log";
import { type AdminContext, actorTenant } from "./actor";
import { auditEntry } from "./audit";
import { keyNotFound } from "./errors";
import { newId } from "./ids";
import { overwriteKeyRecords } from "./key-cache";
import { loadTenant } from "./tenants";

/** A key as the admin API shows it: never the key itself nor its hash. */
export type KeyView = {
  id: string;
  tenantId: string;
  name: string | null;
  /** The first characters of the key, e.g. `ew_live_3kF9`. */
  prefix: string;
  scopes: string[];
  models: string[] | null;
  limits: Limits;
  status: "active" | "revoked" | "expired";
  expiresAt: string | null;
  revokedAt: string | null;
  replacedBy: string | null;
  lastUsedAt: string | null;
  createdAt: string;
};

/** A key just created: the only time `key` is shown. */
export type CreatedKey = KeyView & { key: string };

export type NewKeyInput = { name?: string; scopes?: KeyScope[]; models?: string[]; limits?: Limits; expiresAt?: Date };

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The admin API view of a key row, its status judged at `now`. */
export function keyView(row: ApiKey, now = Date.now()): KeyView {
  const limits = LimitsSchema.safeParse(row.limits);
  const status = row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt.getTime() <= now ? "expired" : "active";
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    models: row.models,
    limits: limits.success ? limits.data : {},
    status,
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    replacedBy: row.replacedBy,
    lastUsedAt: iso(row.lastUsedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

/** What the audit log records of a key: never the key or its hash. */
const snapshot = (v: KeyView) => ({
  name: v.name,
  prefix: v.prefix,
  scopes: v.scopes,
  models: v.models,
  limits: v.limits,
  expiresAt: v.expiresAt,
  revokedAt: v.revokedAt,
  replacedBy: v.replacedBy,
});

/** The `<env>` part of new keys: `live` in production, `dev` in development, else `test`. */
export const keyEnvironment = (env: Pick<Env, "ENVIRONMENT">) =>
  env.ENVIRONMENT === "production" ? "live" : env.ENVIRONMENT === "development" ? "dev" : "test";

async function newKeyRow(tenantId: string, env: Env, settings: Omit<NewKeyInput, "expiresAt"> & { expiresAt?: Date | null }) {
  const key = newApiKey(keyEnvironment(env));
  const row: ApiKey = {
    id: newId("key"),
    tenantId,
    name: settings.name ?? null,
    hash: await hashApiKey(key),
    prefix: displayPrefix(key),
    scopes: settings.scopes ?? [],
    models: settings.models ?? null,
    limits: settings.limits ?? {},
    expiresAt: settings.expiresAt ?? null,
    revokedAt: null,
    lastUsedAt: null,
    replacedBy: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  return { key, row };
}

/**
 * Creates a key for the tenant; the response is the only place the key ever appears.
 * @throws GatewayError not_found (unknown tenant, or one the actor may not manage), invalid_request (expiry in the past).
 */
export async function createKey(ctx: AdminContext, tenantId: string, input: NewKeyInput): Promise<CreatedKey> {
  await loadTenant(ctx, tenantId);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new GatewayError("invalid_request", "expiresAt must be in the future", { param: "expiresAt" });
  }
  const { key, row } = await newKeyRow(tenantId, ctx.env, input);
  const [[inserted]] = await ctx.db.batch([
    insertKey(ctx.db, row),
    insertAudit(
      ctx.db,
      auditEntry(ctx, { tenantId, action: "key.create", target: { type: "key", id: row.id }, before: null, after: snapshot(keyView(row)) }),
    ),
  ]);
  if (!inserted) throw new Error("key insert returned no row");
  return { ...keyView(inserted), key };
}

/** The tenant's keys (revoked and expired included). @throws GatewayError not_found */
export async function listTenantKeys(ctx: AdminContext, tenantId: string): Promise<KeyView[]> {
  await loadTenant(ctx, tenantId);
  const now = Date.now();
  return (await listKeys(ctx.db, tenantId)).map((row) => keyView(row, now));
}

async function loadKey(ctx: AdminContext, id: string): Promise<ApiKey> {
  const row = await findKey(ctx.db, id, actorTenant(ctx.actor));
  if (!row) throw keyNotFound(id);
  return row;
}

/**
 * Revokes a key and overwrites its cached record, so it stops working everywhere within the
 * isolate cache time (≤ 1 s). Idempotent: revoking again returns the key and rewrites the cache.
 * @throws GatewayError not_found, service_unavailable (revoked, cache not updated: retry).
 */
export async function revokeKey(ctx: AdminContext, id: string): Promise<KeyView> {
  let row = await loadKey(ctx, id);
  if (!row.revokedAt) {
    const before = keyView(row);
    const revoked = { ...row, revokedAt: new Date() };
    const [[updated]] = await ctx.db.batch([
      updateKey(ctx.db, { id, tenantId: row.tenantId }, { revokedAt: revoked.revokedAt }),
      insertAudit(
        ctx.db,
        auditEntry(ctx, {
          tenantId: row.tenantId,
          action: "key.revoke",
          target: { type: "key", id },
          before: snapshot(before),
          after: snapshot(keyView(revoked)),
        }),
      ),
    ]);
    row = updated ?? revoked;
  }
  await overwriteKeyRecords(ctx.redis, ctx.env.REDIS_KEY_PREFIX, await keyRecords(ctx.db, row.tenantId, { ids: [id] }));
  return keyView(row);
}

/** A rotation's result: the new key (shown once) and when the old one stops working. */
export type RotatedKey = CreatedKey & { replaces: { id: string; expiresAt: string } };

/**
 * Replaces a key by a new one with the same settings. The old key keeps working for the grace
 * period (its `expires_at` becomes now + grace, or stays earlier) and points to its successor.
 * @throws GatewayError not_found; invalid_request for a revoked, expired or already rotated key.
 */
export async function rotateKey(ctx: AdminContext, id: string, gracePeriodSeconds: number): Promise<RotatedKey> {
  const old = await loadKey(ctx, id);
  const now = Date.now();
  const status = keyView(old, now).status;
  if (status !== "active") throw new GatewayError("invalid_request", `Key \`${id}\` is ${status} and cannot be rotated`, { param: "id" });
  if (old.replacedBy) {
    throw new GatewayError("invalid_request", `Key \`${id}\` was already rotated (replaced by \`${old.replacedBy}\`)`, { param: "id" });
  }
  const { key, row } = await newKeyRow(old.tenantId, ctx.env, {
    name: old.name ?? undefined,
    scopes: old.scopes as KeyScope[],
    models: old.models ?? undefined,
    limits: LimitsSchema.safeParse(old.limits).data,
    expiresAt: old.expiresAt,
  });
  const graceEnd = new Date(now + gracePeriodSeconds * 1000);
  const expiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
  const rotated = { ...old, expiresAt, replacedBy: row.id };
  const audit = (e: Parameters<typeof auditEntry>[1]) => insertAudit(ctx.db, auditEntry(ctx, e));
  const [[inserted]] = await ctx.db.batch([
    insertKey(ctx.db, row),
    updateKey(ctx.db, { id, tenantId: old.tenantId }, { expiresAt, replacedBy: row.id }),
    audit({
      tenantId: old.tenantId,
      action: "key.create",
      target: { type: "key", id: row.id },
      before: null,
      after: snapshot(keyView(row)),
    }),
    audit({
      tenantId: old.tenantId,
      action: "key.rotate",
      target: { type: "key", id },
      before: snapshot(keyView(old, now)),
      after: snapshot(keyView(rotated, now)),
    }),
  ]);
  if (!inserted) throw new Error("key insert returned no row");
  await overwriteKeyRecords(ctx.redis, ctx.env.REDIS_KEY_PREFIX, await keyRecords(ctx.db, old.tenantId, { ids: [id] }));
  return { ...keyView(inserted), key, replaces: { id, expiresAt: expiresAt.toISOString() } };
}
