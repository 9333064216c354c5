import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../../../schema";
import { admin, chat, expectJson, newKey, newTenant, nonce, pollUntil, type TenantBody, testDb } from "../../helpers/workers/admin";

const CACHE_DEFAULTS = { mode: "deterministic", ttlSeconds: 3600, semantic: { enabled: false } };

describe("POST /admin/tenants", () => {
  it("creates a tenant with limits and a budget, and audits it", async () => {
    const name = `acme-${nonce()}`;
    const res = await admin("/admin/tenants", {
      method: "POST",
      json: { name, limits: { rpm: 60, tpm: 10_000 }, budget: { monthlyUsd: 25 } },
    });
    const tenant = await expectJson<TenantBody & { createdAt: string; updatedAt: string }>(res, 201);
    expect(tenant).toEqual({
      id: expect.stringMatching(/^ten_[a-z0-9]{20}$/),
      name,
      status: "active",
      limits: { rpm: 60, tpm: 10_000 },
      budget: { monthlyUsd: 25 },
      traffic: {},
      cache: CACHE_DEFAULTS,
      routing: {},
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const rows = await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id);
    expect(rows).toEqual([
      {
        id: expect.any(Number),
        tenantId: tenant.id,
        actor: "admin",
        action: "tenant.create",
        targetType: "tenant",
        targetId: tenant.id,
        before: null,
        after: {
          name,
          status: "active",
          limits: { rpm: 60, tpm: 10_000 },
          budget: { monthlyUsd: 25 },
          traffic: {},
          cache: CACHE_DEFAULTS,
          routing: {},
        },
        requestId: res.headers.get("x-request-id"),
        createdAt: expect.any(Date),
      },
    ]);
  });

  it("defaults to no limits and no budget", async () => {
    const tenant = await newTenant();
    expect(tenant.limits).toEqual({});
    expect(tenant.budget).toBeNull();
  });

  it("rejects a bad body with 400 naming the field", async () => {
    for (const [json, param] of [
      [{}, "name"],
      [{ name: "" }, "name"],
      [{ name: "x", limits: { rpm: -1 } }, "limits.rpm"],
      [{ name: "x", budget: {} }, "budget.monthlyUsd"],
      [{ name: "x", extra: 1 }, undefined],
    ] as const) {
      const body = await expectJson<{ error: { code: string; param: string | null } }>(
        await admin("/admin/tenants", { method: "POST", json }),
        400,
      );
      expect(body.error.code).toBe("invalid_request");
      if (param) expect(body.error.param).toBe(param);
    }
  });
});

describe("GET /admin/tenants/:id", () => {
  it("returns the tenant, and 404 for an unknown id", async () => {
    const tenant = await newTenant({ limits: { rpm: 5 } });
    const got = await expectJson<TenantBody>(await admin(`/admin/tenants/${tenant.id}`), 200);
    expect(got).toEqual(tenant);
    expect(await expectJson(await admin("/admin/tenants/ten_doesnotexist"), 404)).toEqual({
      error: { message: "Tenant `ten_doesnotexist` not found", type: "invalid_request_error", param: "id", code: "not_found" },
    });
  });

  it("lets a tenant key with the admin scope read its own tenant", async () => {
    const tenant = await newTenant();
    const tenantAdmin = await newKey(tenant.id, { scopes: ["admin"] });
    expect((await expectJson<TenantBody>(await admin(`/admin/tenants/${tenant.id}`, { key: tenantAdmin.key }), 200)).id).toBe(tenant.id);
  });
});

describe("PATCH /admin/tenants/:id", () => {
  it("changes name, limits and budget (null removes it), audited with before and after", async () => {
    const tenant = await newTenant({ budget: { monthlyUsd: 10 } });
    const res = await admin(`/admin/tenants/${tenant.id}`, {
      method: "PATCH",
      json: { name: "renamed", limits: { tpm: 500 }, budget: null },
    });
    const patched = await expectJson<TenantBody>(res, 200);
    expect(patched).toMatchObject({ id: tenant.id, name: "renamed", status: "active", limits: { tpm: 500 }, budget: null });
    const rows = await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id);
    expect(rows.map((r) => [r.actor, r.action, r.before, r.after, r.requestId])).toEqual([
      [
        "admin",
        "tenant.create",
        null,
        { name: tenant.name, status: "active", limits: {}, budget: { monthlyUsd: 10 }, traffic: {}, cache: CACHE_DEFAULTS, routing: {} },
        expect.any(String),
      ],
      [
        "admin",
        "tenant.update",
        { name: tenant.name, status: "active", limits: {}, budget: { monthlyUsd: 10 }, traffic: {}, cache: CACHE_DEFAULTS, routing: {} },
        { name: "renamed", status: "active", limits: { tpm: 500 }, budget: null, traffic: {}, cache: CACHE_DEFAULTS, routing: {} },
        res.headers.get("x-request-id"),
      ],
    ]);
  });

  it("writes no audit row for a patch that changes nothing", async () => {
    const tenant = await newTenant();
    await expectJson(await admin(`/admin/tenants/${tenant.id}`, { method: "PATCH", json: { name: tenant.name } }), 200);
    expect(await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id)).toHaveLength(1);
  });

  it("lets a tenant admin rename its tenant and set its budget, but not its status or limits (403)", async () => {
    const tenant = await newTenant();
    const tenantAdmin = await newKey(tenant.id, { scopes: ["admin"] });
    const renamed = await admin(`/admin/tenants/${tenant.id}`, {
      method: "PATCH",
      json: { name: "mine", budget: { monthlyUsd: 5 } },
      key: tenantAdmin.key,
    });
    expect(await expectJson(renamed, 200)).toMatchObject({ name: "mine", budget: { monthlyUsd: 5 } });
    for (const json of [{ status: "suspended" }, { limits: { rpm: 1000 } }]) {
      const body = await expectJson<{ error: { code: string } }>(
        await admin(`/admin/tenants/${tenant.id}`, { method: "PATCH", json, key: tenantAdmin.key }),
        403,
      );
      expect(body.error.code).toBe("permission_denied");
    }
    const rows = await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id);
    expect(rows.at(-1)).toMatchObject({ actor: `key:${tenantAdmin.id}`, action: "tenant.update" });
  });

  it("suspending stops the tenant's keys within 2 s; reactivating brings them back within 2 s", async () => {
    const tenant = await newTenant();
    const { key } = await newKey(tenant.id);
    expect((await chat(key)).status).toBe(200);

    await expectJson(await admin(`/admin/tenants/${tenant.id}`, { method: "PATCH", json: { status: "suspended" } }), 200);
    const stopped = await pollUntil(async () => (await chat(key)).status === 401, 2000);
    expect(stopped).toBeLessThan(2000);

    await expectJson(await admin(`/admin/tenants/${tenant.id}`, { method: "PATCH", json: { status: "active" } }), 200);
    const back = await pollUntil(async () => (await chat(key)).status === 200, 2000);
    expect(back).toBeLessThan(2000);

    const rows = await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id);
    expect(rows.filter((r) => r.action === "tenant.update").map((r) => [r.before, r.after])).toEqual([
      [expect.objectContaining({ status: "active" }), expect.objectContaining({ status: "suspended" })],
      [expect.objectContaining({ status: "suspended" }), expect.objectContaining({ status: "active" })],
    ]);
  });
});
