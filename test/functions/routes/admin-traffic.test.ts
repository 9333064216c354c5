import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../../../schema";
import { admin, chat, expectJson, newKey, newTenant, nonce, pollUntil, testDb } from "../../helpers/workers/admin";
import { gateway, stack } from "../../helpers/workers/gateway";

const blocked = {
  error: {
    message: "This key, end user or address is blocked on this gateway.",
    type: "invalid_request_error",
    param: null,
    code: "permission_denied",
  },
};

const chatAs = (key: string, headers: Record<string, string>) =>
  gateway("/v1/chat/completions", {
    method: "POST",
    json: { model: "mock-small", messages: [{ role: "user", content: "hi" }] },
    key,
    headers,
  });

describe("deny list", () => {
  it("blocks a key until the block is lifted, and audits both", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    await expectJson(await admin("/admin/deny", { method: "PUT", json: { kind: "key", value: key.id, tenantId: tenant.id } }), 200);
    const res = await chat(key.key);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(blocked);
    await expectJson(await admin("/admin/deny", { method: "DELETE", json: { kind: "key", value: key.id, tenantId: tenant.id } }), 200);
    expect((await chat(key.key)).status).toBe(200);
    const actions = (await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id)).map((r) => [
      r.action,
      r.targetId,
    ]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ["deny.add", `key:${key.id}`],
        ["deny.remove", `key:${key.id}`],
      ]),
    );
  });

  it("blocks one end user of a tenant, not the others, and lets a tenant admin do it for its own tenant only", async () => {
    const [mine, theirs] = [await newTenant(), await newTenant()];
    const tenantAdmin = await newKey(mine.id, { scopes: ["admin"] });
    const user = `mallory-${nonce()}`;
    await expectJson(
      await admin("/admin/deny", {
        method: "PUT",
        json: { kind: "user", value: user, tenantId: mine.id, ttlSeconds: 60 },
        key: tenantAdmin.key,
      }),
      200,
    );
    expect((await chatAs(tenantAdmin.key, { "x-edgeway-user": user })).status).toBe(403);
    expect((await chatAs(tenantAdmin.key, { "x-edgeway-user": "alice" })).status).toBe(200);
    const other = await newKey(theirs.id);
    expect(
      (await admin("/admin/deny", { method: "PUT", json: { kind: "key", value: other.id, tenantId: theirs.id }, key: tenantAdmin.key }))
        .status,
    ).toBe(404);
    expect(
      (await admin("/admin/deny", { method: "PUT", json: { kind: "key", value: other.id, tenantId: mine.id }, key: tenantAdmin.key }))
        .status,
    ).toBe(404);
    expect((await chat(other.key)).status).toBe(200);
  });

  it("blocks a client address (admin token only)", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id, { scopes: ["admin"] });
    const ip = `198.19.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    expect((await admin("/admin/deny", { method: "PUT", json: { kind: "ip", value: ip }, key: key.key })).status).toBe(403);
    expect((await admin("/admin/deny", { method: "PUT", json: { kind: "ip", value: ip, tenantId: tenant.id } })).status).toBe(400);
    await expectJson(await admin("/admin/deny", { method: "PUT", json: { kind: "ip", value: ip, ttlSeconds: 30 } }), 200);
    expect((await chatAs(key.key, { "cf-connecting-ip": ip })).status).toBe(403);
    expect((await chatAs(key.key, { "cf-connecting-ip": "203.0.113.9" })).status).toBe(200);
  });
});

describe("budget soft limit", () => {
  it("raises one alert per month when spend crosses the threshold, and POSTs it to the webhook", async () => {
    const webhookUrl = `${stack().urls.mockUpstream}/hooks/budget-${nonce()}`;
    const tenant = await newTenant({ budget: { monthlyUsd: 0.001, alertAtPercent: 10, webhookUrl } });
    const key = await newKey(tenant.id);
    const spend = () =>
      gateway("/v1/chat/completions", {
        method: "POST",
        json: { model: "mock-large", max_tokens: 30, messages: [{ role: "user", content: "spend [[words:20]]" }] },
        key: key.key,
      });
    expect((await spend()).status).toBe(200);
    type Alerts = { data: Array<{ kind: string; period: string; payload: Record<string, number | string> }> };
    let alerts: Alerts = { data: [] };
    await pollUntil(async () => {
      alerts = await expectJson<Alerts>(await admin(`/admin/tenants/${tenant.id}/alerts`), 200);
      return alerts.data.length > 0;
    }, 3000);
    expect(alerts.data).toEqual([
      {
        id: expect.any(Number),
        kind: "budget_soft_limit",
        period: new Date().toISOString().slice(0, 7),
        message: expect.stringMatching(/^Tenant ten_\w+ has spent 0\.000\d+ USD of its 0\.001 USD budget/),
        payload: { tenantId: tenant.id, period: expect.any(String), spentMicroUsd: expect.any(Number), budgetMicroUsd: 1000, percent: 10 },
        createdAt: expect.any(String),
      },
    ]);
    const log = (await (await fetch(`${stack().urls.mockControl}/requests?limit=200`)).json()) as {
      requests: Array<{ url: string; body: unknown }>;
    };
    expect(log.requests.filter((r) => r.url === new URL(webhookUrl).pathname).map((r) => r.body)).toEqual([
      expect.objectContaining({ type: "budget_soft_limit", tenantId: tenant.id, budgetMicroUsd: 1000 }),
    ]);
    await spend();
    await new Promise((r) => setTimeout(r, 300));
    expect((await expectJson<Alerts>(await admin(`/admin/tenants/${tenant.id}/alerts`), 200)).data).toHaveLength(1);
  });
});
