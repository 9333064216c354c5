import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, auditLog } from "../../../schema";
import { admin, chat, expectJson, type KeyBody, newKey, newTenant, pollUntil, testDb } from "../../helpers/workers/admin";
import { gateway } from "../../helpers/workers/gateway";

const audit = async (tenantId: string) =>
  (await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(auditLog.id)).map((r) => ({
    actor: r.actor,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    before: r.before,
    after: r.after,
  }));

describe("POST /admin/tenants/:id/keys", () => {
  it("creates a key that works on /v1/chat/completions right away", async () => {
    const tenant = await newTenant();
    const res = await admin(`/admin/tenants/${tenant.id}/keys`, {
      method: "POST",
      json: { name: "ci", scopes: ["admin"], models: ["mock-small"], limits: { rpm: 100 } },
    });
    const created = await expectJson<KeyBody & Record<string, unknown>>(res, 201);
    expect(created).toEqual({
      id: expect.stringMatching(/^key_[a-z0-9]{20}$/),
      tenantId: tenant.id,
      key: expect.stringMatching(/^ew_test_[A-Za-z0-9]{32}$/),
      prefix: created.key.slice(0, "ew_test_".length + 4),
      name: "ci",
      scopes: ["admin"],
      models: ["mock-small"],
      limits: { rpm: 100 },
      status: "active",
      expiresAt: null,
      revokedAt: null,
      replacedBy: null,
      lastUsedAt: null,
      createdAt: expect.any(String),
    });
    expect((await chat(created.key)).status).toBe(200);
    expect((await gateway("/v1/models", { key: created.key }).then((r) => r.json())) as unknown).toMatchObject({
      data: [{ id: "mock-small" }],
    });
    expect(await audit(tenant.id)).toContainEqual({
      actor: "admin",
      action: "key.create",
      targetType: "key",
      targetId: created.id,
      before: null,
      after: {
        name: "ci",
        prefix: created.prefix,
        scopes: ["admin"],
        models: ["mock-small"],
        limits: { rpm: 100 },
        expiresAt: null,
        revokedAt: null,
        replacedBy: null,
      },
    });
    const [row] = await testDb().select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.key);
  });

  it("honours expiresAt, and refuses one in the past", async () => {
    const tenant = await newTenant();
    const soon = new Date(Date.now() + 1500).toISOString();
    const key = await newKey(tenant.id, { expiresAt: soon });
    expect(key.expiresAt).toBe(soon);
    expect((await chat(key.key)).status).toBe(200);
    await pollUntil(async () => (await chat(key.key)).status === 401, 4000);

    const past = await expectJson<{ error: { code: string; param: string } }>(
      await admin(`/admin/tenants/${tenant.id}/keys`, { method: "POST", json: { expiresAt: "2020-01-01T00:00:00Z" } }),
      400,
    );
    expect(past.error).toMatchObject({ code: "invalid_request", param: "expiresAt" });
  });

  it("rejects unknown scopes with 400 and answers 404 for an unknown tenant", async () => {
    const tenant = await newTenant();
    const bad = await admin(`/admin/tenants/${tenant.id}/keys`, { method: "POST", json: { scopes: ["root"] } });
    expect(bad.status).toBe(400);
    expect((await admin("/admin/tenants/ten_nope/keys", { method: "POST", json: {} })).status).toBe(404);
  });
});

describe("GET /admin/tenants/:id/keys", () => {
  it("lists the tenant's keys with their status, never the key or its hash", async () => {
    const tenant = await newTenant();
    const a = await newKey(tenant.id, { name: "a" });
    const b = await newKey(tenant.id, { name: "b" });
    await expectJson(await admin(`/admin/keys/${b.id}`, { method: "DELETE" }), 200);
    const res = await admin(`/admin/tenants/${tenant.id}/keys`);
    const text = await res.clone().text();
    const { data } = await expectJson<{ data: Array<Record<string, unknown>> }>(res, 200);
    expect(data.map((k) => [k.id, k.name, k.status])).toEqual([
      [a.id, "a", "active"],
      [b.id, "b", "revoked"],
    ]);
    for (const k of data) expect(Object.keys(k)).not.toContain("key");
    const hashes = (await testDb().select({ hash: apiKeys.hash }).from(apiKeys).where(eq(apiKeys.tenantId, tenant.id))).map((r) => r.hash);
    for (const secret of [a.key, b.key, ...hashes]) expect(text).not.toContain(secret);
  });
});

describe("DELETE /admin/keys/:id", () => {
  it("revokes: the key gets 401 within 2 s, everywhere", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    expect((await chat(key.key)).status).toBe(200); // warms the isolate and Redis caches with the live record

    const res = await admin(`/admin/keys/${key.id}`, { method: "DELETE" });
    const revoked = await expectJson<{ status: string; revokedAt: string }>(res, 200);
    expect(revoked.status).toBe("revoked");
    const took = await pollUntil(async () => (await chat(key.key)).status === 401, 2000);
    expect(took).toBeLessThan(2000);
    expect(await (await chat(key.key)).json()).toMatchObject({ error: { code: "invalid_api_key" } });

    expect((await audit(tenant.id)).filter((r) => r.action === "key.revoke")).toEqual([
      {
        actor: "admin",
        action: "key.revoke",
        targetType: "key",
        targetId: key.id,
        before: expect.objectContaining({ revokedAt: null }),
        after: expect.objectContaining({ revokedAt: revoked.revokedAt }),
      },
    ]);
  });

  it("is idempotent (same answer, one audit row) and 404s an unknown key", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    const first = await expectJson(await admin(`/admin/keys/${key.id}`, { method: "DELETE" }), 200);
    const second = await expectJson(await admin(`/admin/keys/${key.id}`, { method: "DELETE" }), 200);
    expect(second).toEqual(first);
    expect((await audit(tenant.id)).filter((r) => r.action === "key.revoke")).toHaveLength(1);
    expect((await admin("/admin/keys/key_nope", { method: "DELETE" })).status).toBe(404);
  });
});

describe("POST /admin/keys/:id/rotate", () => {
  it("issues a new key with the same settings; both work during the grace period, then only the new one", async () => {
    const tenant = await newTenant();
    const old = await newKey(tenant.id, { name: "svc", scopes: ["admin"], models: ["mock-small"], limits: { tpm: 90_000 } });
    expect((await chat(old.key)).status).toBe(200);

    const res = await admin(`/admin/keys/${old.id}/rotate`, { method: "POST", json: { gracePeriodSeconds: 1 } });
    const rotated = await expectJson<KeyBody & Record<string, unknown>>(res, 201);
    expect(rotated).toMatchObject({
      tenantId: tenant.id,
      name: "svc",
      scopes: ["admin"],
      models: ["mock-small"],
      limits: { tpm: 90_000 },
      status: "active",
    });
    expect(rotated.key).not.toBe(old.key);
    expect(rotated.replaces).toEqual({ id: old.id, expiresAt: expect.any(String) });

    expect((await chat(old.key)).status).toBe(200);
    expect((await chat(rotated.key)).status).toBe(200);
    const graceEnd = Date.parse((rotated.replaces as { expiresAt: string }).expiresAt);
    await pollUntil(async () => (await chat(old.key)).status === 401, 3000);
    expect(Date.now()).toBeGreaterThanOrEqual(graceEnd);
    expect(Date.now() - graceEnd).toBeLessThan(2000);
    expect((await chat(rotated.key)).status).toBe(200);

    const { data } = await expectJson<{ data: Array<{ id: string; status: string; replacedBy: string | null }> }>(
      await admin(`/admin/tenants/${tenant.id}/keys`),
      200,
    );
    expect(data.find((k) => k.id === old.id)).toMatchObject({ status: "expired", replacedBy: rotated.id });

    const rows = await audit(tenant.id);
    expect(rows.filter((r) => r.action === "key.rotate")).toEqual([
      {
        actor: "admin",
        action: "key.rotate",
        targetType: "key",
        targetId: old.id,
        before: expect.objectContaining({ expiresAt: null, replacedBy: null }),
        after: expect.objectContaining({ expiresAt: (rotated.replaces as { expiresAt: string }).expiresAt, replacedBy: rotated.id }),
      },
    ]);
    expect(rows.filter((r) => r.action === "key.create").map((r) => r.targetId)).toEqual([old.id, rotated.id]);
  });

  it("refuses to rotate a revoked key or one already rotated", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    await expectJson(await admin(`/admin/keys/${key.id}/rotate`, { method: "POST", json: { gracePeriodSeconds: 60 } }), 201);
    const again = await admin(`/admin/keys/${key.id}/rotate`, { method: "POST", json: { gracePeriodSeconds: 60 } });
    expect(await expectJson(again, 400)).toMatchObject({ error: { code: "invalid_request", param: "id" } });
    const other = await newKey(tenant.id);
    await admin(`/admin/keys/${other.id}`, { method: "DELETE" });
    expect((await admin(`/admin/keys/${other.id}/rotate`, { method: "POST", json: { gracePeriodSeconds: 0 } })).status).toBe(400);
    expect((await admin(`/admin/keys/${other.id}/rotate`, { method: "POST", json: {} })).status).toBe(400);
  });
});
