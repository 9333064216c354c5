import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiKeys, auditLog, providerCredentials, tenants } from "../../../schema";
import { admin, adminToken, expectJson, type KeyBody, newKey, newTenant, type TenantBody, testDb } from "../../helpers/workers/admin";
import { stack } from "../../helpers/workers/gateway";

type Call = { method: string; path: string; json?: unknown };

/** Every admin endpoint, aimed at one tenant and one of its keys. */
const endpoints = (tenantId: string, keyId: string): Call[] => [
  { method: "POST", path: "/admin/tenants", json: { name: "intruder" } },
  { method: "GET", path: `/admin/tenants/${tenantId}` },
  { method: "PATCH", path: `/admin/tenants/${tenantId}`, json: { name: "pwned" } },
  { method: "POST", path: `/admin/tenants/${tenantId}/keys`, json: { scopes: ["admin"] } },
  { method: "GET", path: `/admin/tenants/${tenantId}/keys` },
  { method: "DELETE", path: `/admin/keys/${keyId}` },
  { method: "POST", path: `/admin/keys/${keyId}/rotate`, json: { gracePeriodSeconds: 0 } },
  { method: "PUT", path: `/admin/tenants/${tenantId}/credentials/mock`, json: { apiKey: "sk-intruder-key" } },
  { method: "GET", path: `/admin/tenants/${tenantId}/credentials` },
  { method: "DELETE", path: `/admin/tenants/${tenantId}/credentials/mock` },
];

/** Everything stored about a tenant, to prove a refused call changed nothing. */
async function stateOf(tenantId: string) {
  const db = testDb();
  return {
    tenant: await db.select().from(tenants).where(eq(tenants.id, tenantId)),
    keys: await db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)),
    credentials: await db.select().from(providerCredentials).where(eq(providerCredentials.tenantId, tenantId)),
    audit: await db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(auditLog.id),
  };
}

let victim: TenantBody;
let victimKey: KeyBody;
let plainKey: KeyBody;

beforeAll(async () => {
  victim = await newTenant();
  victimKey = await newKey(victim.id, { scopes: ["admin"] });
  plainKey = await newKey(victim.id);
  await expectJson(
    await admin(`/admin/tenants/${victim.id}/credentials/mock`, { method: "PUT", json: { apiKey: "sk-victim-secret-9999" } }),
    200,
  );
});

describe("admin API: who may call it", () => {
  it("answers 401 invalid_api_key without a token, with a wrong one, or with a revoked admin key", async () => {
    const tenant = await newTenant();
    const revoked = await newKey(tenant.id, { scopes: ["admin"] });
    await expectJson(await admin(`/admin/keys/${revoked.id}`, { method: "DELETE" }), 200);
    const before = await stateOf(victim.id);
    for (const key of [
      "",
      "Basic abc",
      `${adminToken()}x`,
      adminToken().slice(0, -1),
      "ew_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      revoked.key,
    ]) {
      for (const call of endpoints(victim.id, victimKey.id)) {
        const res = await admin(call.path, { ...call, key });
        const body = await expectJson<{ error: { code: string } }>(res, 401);
        expect(body.error.code, `${call.method} ${call.path}`).toBe("invalid_api_key");
      }
    }
    expect(await stateOf(victim.id)).toEqual(before);
  });

  it("answers 403 permission_denied to a valid key without the admin scope, even on its own tenant", async () => {
    const before = await stateOf(victim.id);
    for (const call of endpoints(victim.id, victimKey.id)) {
      const body = await expectJson<{ error: { code: string } }>(await admin(call.path, { ...call, key: plainKey.key }), 403);
      expect(body.error.code, `${call.method} ${call.path}`).toBe("permission_denied");
    }
    expect(await stateOf(victim.id)).toEqual(before);
  });

  it("lets only the admin token create tenants (403 for a tenant admin key)", async () => {
    const body = await expectJson<{ error: { code: string } }>(
      await admin("/admin/tenants", { method: "POST", json: { name: "self-made" }, key: victimKey.key }),
      403,
    );
    expect(body.error.code).toBe("permission_denied");
  });
});

describe("admin API: tenant isolation", () => {
  it("a tenant admin key of A gets 404 on B's tenant, keys and credentials, and nothing of B changes", async () => {
    const attacker = await newTenant();
    const attackerKey = await newKey(attacker.id, { scopes: ["admin"] });
    const before = await stateOf(victim.id);
    for (const call of endpoints(victim.id, victimKey.id).filter((c) => c.path !== "/admin/tenants")) {
      const res = await admin(call.path, { ...call, key: attackerKey.key });
      const body = await expectJson<{ error: { code: string; message: string } }>(res, 404);
      expect(body.error.code, `${call.method} ${call.path}`).toBe("not_found");
      expect(body.error.message).not.toContain(victim.name);
    }
    expect(await stateOf(victim.id)).toEqual(before);
    // The same 404 as for a tenant that does not exist: nothing tells the attacker B exists.
    const missing = await expectJson(await admin("/admin/tenants/ten_00000000000000000000", { key: attackerKey.key }), 404);
    const foreign = await expectJson(await admin(`/admin/tenants/${victim.id}`, { key: attackerKey.key }), 404);
    expect(JSON.stringify(foreign).replace(victim.id, "X")).toBe(JSON.stringify(missing).replace("ten_00000000000000000000", "X"));
    // and the attacker's own tenant is still its to manage
    expect((await admin(`/admin/tenants/${attacker.id}/keys`, { key: attackerKey.key })).status).toBe(200);
  });
});

describe("admin API: secrets", () => {
  it("never returns or audits a key, a key hash, a ciphertext, ENCRYPTION_KEY or the admin token", async () => {
    const tenant = await newTenant();
    // The create and rotate answers are the one place each key is shown: kept apart from the bodies checked.
    const created = await newKey(tenant.id);
    const rotated = await expectJson<KeyBody>(
      await admin(`/admin/keys/${created.id}/rotate`, { method: "POST", json: { gracePeriodSeconds: 0 } }),
      201,
    );
    const bodies: string[] = [];
    const call = async (path: string, init: { method?: string; json?: unknown } = {}) => {
      bodies.push(await (await admin(path, init)).text());
    };
    const byok = "sk-byok-never-shown-4321";
    await call(`/admin/tenants/${tenant.id}/credentials/mock`, { method: "PUT", json: { apiKey: byok } });
    const [credential] = await testDb().select().from(providerCredentials).where(eq(providerCredentials.tenantId, tenant.id));
    await call(`/admin/tenants/${tenant.id}/credentials`);
    await call(`/admin/tenants/${tenant.id}/keys`);
    await call(`/admin/tenants/${tenant.id}`);
    await call(`/admin/tenants/${tenant.id}`, { method: "PATCH", json: { status: "suspended" } });
    await call(`/admin/keys/${rotated.id}`, { method: "DELETE" });
    await call(`/admin/tenants/${tenant.id}/credentials/mock`, { method: "DELETE" });

    const state = await stateOf(tenant.id);
    expect(state.audit.map((r) => r.action)).toEqual([
      "tenant.create",
      "key.create",
      "key.create",
      "key.rotate",
      "credential.put",
      "tenant.update",
      "key.revoke",
      "credential.delete",
    ]);
    const secrets = [
      created.key,
      rotated.key,
      byok,
      ...state.keys.map((k) => k.hash),
      credential?.ciphertext ?? "missing ciphertext",
      stack().bindings.ENCRYPTION_KEY as string,
      adminToken(),
    ];
    const audit = JSON.stringify(state.audit);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(16);
      for (const body of bodies) expect(body).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });

  it("never returns the stored ciphertext", async () => {
    const tenant = await newTenant();
    const put = await (
      await admin(`/admin/tenants/${tenant.id}/credentials/mock`, { method: "PUT", json: { apiKey: "sk-cipher-check-1" } })
    ).text();
    const list = await (await admin(`/admin/tenants/${tenant.id}/credentials`)).text();
    const [row] = await testDb().select().from(providerCredentials).where(eq(providerCredentials.tenantId, tenant.id));
    expect(row?.ciphertext.length).toBeGreaterThan(20);
    for (const body of [put, list]) expect(body).not.toContain(row?.ciphertext.slice(0, 16));
    const audit = JSON.stringify(await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id));
    expect(audit).not.toContain(row?.ciphertext.slice(0, 16));
  });
});
