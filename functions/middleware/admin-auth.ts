import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { authenticate } from "../../shared/auth/authenticate";
import { looksLikeApiKey } from "../../shared/auth/keys";
import { secretsEqual } from "../../shared/crypto/secrets-equal";
import { GatewayError } from "../../shared/errors/gateway-error";
import { type Actor, type AdminContext, mayManageTenant } from "../../shared/tenancy/actor";
import { tenantNotFound } from "../../shared/tenancy/errors";
import { denyKey } from "../../shared/traffic/policy";
import type { HonoEnv } from "../env";
import { presentedKey } from "./auth";
import { countingFailures } from "./auth-failures";

const invalidToken = () => new GatewayError("invalid_api_key", "Missing or invalid admin token");

/**
 * Admits the admin API's callers and puts them on the context as `actor`: the `ADMIN_TOKEN`
 * (`Authorization: Bearer`, compared in constant time) → `{ kind: "admin" }`, or a tenant key with
 * the `admin` scope → `{ kind: "tenant", tenantId, keyId }`, which manages only its own tenant.
 * Anything else is 401 `invalid_api_key`; a valid key without the scope is 403 `permission_denied`.
 * @example app.use("/admin/*", adminAuth());
 */
export const adminAuth = () =>
  createMiddleware<HonoEnv>(async function adminAuth(c, next) {
    const { redis, db, env } = c.get("services");
    const ip = c.req.header("cf-connecting-ip");
    // Admin calls are rare: checking the address deny list here costs nothing that matters, and a
    // blocked address cannot tell a right guess from a wrong one.
    if (ip && (await redis.exists(denyKey(env.REDIS_KEY_PREFIX, { kind: "ip", value: ip })).catch(() => 0))) {
      throw new GatewayError("permission_denied", "This key, end user or address is blocked on this gateway.");
    }
    const presented = presentedKey((n) => c.req.header(n));
    const actor = await countingFailures(c, async (): Promise<Actor> => {
      if (!presented) throw invalidToken();
      if (await secretsEqual(presented, env.ADMIN_TOKEN)) return { kind: "admin" };
      if (!looksLikeApiKey(presented)) throw invalidToken();
      const { key, pending } = await authenticate({ redis, db, keyPrefix: env.REDIS_KEY_PREFIX }, presented);
      if (pending) c.executionCtx.waitUntil(pending);
      if (!key.scopes.includes("admin")) throw new GatewayError("permission_denied", "This key does not have the admin scope");
      return { kind: "tenant", tenantId: key.tenantId, keyId: key.id };
    });
    c.set("actor", actor);
    await next();
  });

/**
 * Stops a tenant actor at another tenant's door with 404 `not_found`, the answer a missing tenant
 * gets, so a tenant admin cannot learn which other tenants exist.
 * @example assertTenantAccess(c.get("actor"), c.req.param("id"));
 */
export function assertTenantAccess(actor: Actor, tenantId: string): void {
  if (!mayManageTenant(actor, tenantId)) throw tenantNotFound(tenantId);
}

/** What the tenancy services need for one admin call: stores, the actor, the request id for the audit log. */
export function adminContext(c: Context<HonoEnv>): AdminContext {
  const { db, redis, env } = c.get("services");
  return { db, redis, env, actor: c.get("actor"), requestId: c.get("requestId") };
}
