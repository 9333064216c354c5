import { Redis } from "@upstash/redis/cloudflare";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, providerCredentials } from "../../../schema";
import {
  admin,
  chat,
  expectJson,
  mockFingerprint,
  newKey,
  newTenant,
  nonce,
  pollUntil,
  testDb,
  upstreamRequest,
} from "../../helpers/workers/admin";
import { stack } from "../../helpers/workers/gateway";

/** The Authorization header the mock upstream received for the chat call carrying `marker`. */
async function upstreamAuth(key: string): Promise<string | undefined> {
  const marker = nonce();
  const res = await chat(key, marker);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await upstreamRequest(marker))?.headers.authorization;
}

const GATEWAY_KEY = mockFingerprint("Bearer mock-key");

describe("BYOK: /admin/tenants/:id/credentials", () => {
  it("a stored key replaces the gateway's for that tenant's traffic only, and deleting it restores the gateway's", async () => {
    const [a, b] = [await newTenant(), await newTenant()];
    const [keyA, keyB] = [await newKey(a.id), await newKey(b.id)];
    const own = `sk-own-${nonce()}-tail`;

    const put = await admin(`/admin/tenants/${a.id}/credentials/mock`, { method: "PUT", json: { apiKey: own } });
    const stored = await expectJson<Record<string, unknown>>(put, 200);
    expect(stored).toEqual({ provider: "mock", hint: "tail", baseUrl: null, createdAt: expect.any(String), updatedAt: expect.any(String) });

    expect(await upstreamAuth(keyA.key)).toBe(mockFingerprint(`Bearer ${own}`));
    expect(await upstreamAuth(keyB.key)).toBe(GATEWAY_KEY);

    const list = await admin(`/admin/tenants/${a.id}/credentials`);
    const listText = await list.clone().text();
    expect(await expectJson(list, 200)).toEqual({ data: [stored] });
    expect(listText).not.toContain(own);

    const del = await admin(`/admin/tenants/${a.id}/credentials/mock`, { method: "DELETE" });
    expect(await expectJson(del, 200)).toMatchObject({ provider: "mock", hint: "tail" });
    await pollUntil(async () => (await upstreamAuth(keyA.key)) === GATEWAY_KEY, 6000);
    expect(await expectJson(await admin(`/admin/tenants/${a.id}/credentials`), 200)).toEqual({ data: [] });
    expect((await admin(`/admin/tenants/${a.id}/credentials/mock`, { method: "DELETE" })).status).toBe(404);

    const rows = await testDb().select().from(auditLog).where(eq(auditLog.tenantId, a.id)).orderBy(auditLog.id);
    expect(
      rows.filter((r) => r.targetType === "credential").map((r) => [r.actor, r.action, r.targetId, r.before, r.after, r.requestId]),
    ).toEqual([
      ["admin", "credential.put", "mock", null, { provider: "mock", hint: "tail", baseUrl: null }, put.headers.get("x-request-id")],
      ["admin", "credential.delete", "mock", { provider: "mock", hint: "tail", baseUrl: null }, null, del.headers.get("x-request-id")],
    ]);
    expect(JSON.stringify(rows)).not.toContain(own);
  });

  it("stores only ciphertext: in Postgres, and in Redis", async () => {
    const tenant = await newTenant();
    const own = `sk-secret-${nonce()}`;
    await expectJson(await admin(`/admin/tenants/${tenant.id}/credentials/mock`, { method: "PUT", json: { apiKey: own } }), 200);
    const [row] = await testDb().select().from(providerCredentials).where(eq(providerCredentials.tenantId, tenant.id));
    expect(row?.ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.stringify(row)).not.toContain(own);
    expect(row?.ciphertext).not.toContain(btoa(own).slice(0, 12));

    const { bindings } = stack();
    const redis = new Redis({ url: bindings.UPSTASH_REDIS_REST_URL as string, token: bindings.UPSTASH_REDIS_REST_TOKEN as string });
    const cached = await redis.get<{ creds: Record<string, string> }>(`${bindings.REDIS_KEY_PREFIX}byok:${tenant.id}`);
    expect(cached).toEqual({ creds: { mock: row?.ciphertext } });
  });

  it("uses the tenant's base URL, and passes an upstream 401 on the tenant's own key through as 401", async () => {
    const tenant = await newTenant();
    const { key } = await newKey(tenant.id);
    const deployment = `byok-${nonce()}`;
    const baseUrl = `${stack().urls.mockUpstream}/d/${deployment}/v1`;
    const put = await admin(`/admin/tenants/${tenant.id}/credentials/mock`, {
      method: "PUT",
      json: { apiKey: "sk-with-base-url", baseUrl: `${baseUrl}/` },
    });
    expect(await expectJson(put, 200)).toMatchObject({ baseUrl });

    const marker = nonce();
    expect((await chat(key, marker)).status).toBe(200);
    expect(await upstreamRequest(marker)).toMatchObject({
      deployment,
      headers: { authorization: mockFingerprint("Bearer sk-with-base-url") },
    });

    await fetch(`${stack().urls.mockUpstream}/d/${deployment}/__control`, {
      method: "PUT",
      body: JSON.stringify({ failNext: 1, failureStatus: 401 }),
    });
    const rejected = await chat(key);
    expect(await expectJson(rejected, 401)).toEqual({
      error: {
        message: "Provider mock rejected the tenant's own credentials (BYOK)",
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
  });

  it("replacing a credential audits the old hint as before", async () => {
    const tenant = await newTenant();
    await expectJson(
      await admin(`/admin/tenants/${tenant.id}/credentials/mock`, { method: "PUT", json: { apiKey: "sk-first-1111" } }),
      200,
    );
    await expectJson(
      await admin(`/admin/tenants/${tenant.id}/credentials/mock`, { method: "PUT", json: { apiKey: "sk-second-2222" } }),
      200,
    );
    const rows = await testDb().select().from(auditLog).where(eq(auditLog.tenantId, tenant.id)).orderBy(auditLog.id);
    expect(rows.filter((r) => r.action === "credential.put").map((r) => [r.before, r.after])).toEqual([
      [null, { provider: "mock", hint: "1111", baseUrl: null }],
      [
        { provider: "mock", hint: "1111", baseUrl: null },
        { provider: "mock", hint: "2222", baseUrl: null },
      ],
    ]);
  });

  it("refuses an unknown provider, a bad base URL and a short key with 400", async () => {
    const tenant = await newTenant();
    const cases = [
      ["nope", { apiKey: "sk-long-enough" }, "provider"],
      ["mock", { apiKey: "sk-long-enough", baseUrl: "ftp://x" }, "baseUrl"],
      ["mock", { apiKey: "sk-long-enough", baseUrl: "https://user:pw@example.com" }, "baseUrl"],
      ["mock", { apiKey: "short" }, "apiKey"],
    ] as const;
    for (const [provider, json, param] of cases) {
      const body = await expectJson<{ error: { code: string; param: string } }>(
        await admin(`/admin/tenants/${tenant.id}/credentials/${provider}`, { method: "PUT", json }),
        400,
      );
      expect(body.error).toMatchObject({ code: "invalid_request", param });
    }
    expect(await testDb().select().from(providerCredentials).where(eq(providerCredentials.tenantId, tenant.id))).toEqual([]);
  });
});
