import type { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../config/env";
import type { Db } from "../storage/postgres/db";

/** Who calls the admin API: the gateway operator (`ADMIN_TOKEN`) or a tenant key with the `admin` scope. */
export type Actor = { kind: "admin" } | { kind: "tenant"; tenantId: string; keyId: string };

/** What an admin operation needs: the stores, who asks, and the request id its audit entry carries. */
export type AdminContext = { db: Db; redis: Redis; env: Env; actor: Actor; requestId: string };

/** The actor as the audit log names it: `admin` or `key:<id>`. */
export const actorLabel = (actor: Actor): string => (actor.kind === "admin" ? "admin" : `key:${actor.keyId}`);

/** True when the actor may manage this tenant: the admin token any, a tenant key only its own. */
export const mayManageTenant = (actor: Actor, tenantId: string): boolean => actor.kind === "admin" || actor.tenantId === tenantId;

/** The tenant every query of this actor must be limited to; undefined for the admin token. */
export const actorTenant = (actor: Actor): string | undefined => (actor.kind === "tenant" ? actor.tenantId : undefined);
