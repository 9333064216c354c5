import { inject } from "vitest";

/** Calls a gateway's admin API with the run's admin token; fails loudly on an unexpected status. */
export async function adminCall<T>(
  gatewayUrl: string,
  path: string,
  init: { method?: string; json?: unknown } = {},
  expectStatus = 200,
): Promise<T> {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${inject("stack").bindings.ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await res.text();
  if (res.status !== expectStatus) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A fresh tenant with one key, both made through the admin API. */
export async function tenantWithKey(gatewayUrl: string, tenant: Record<string, unknown> = {}, key: Record<string, unknown> = {}) {
  const t = await adminCall<{ id: string }>(
    gatewayUrl,
    "/admin/tenants",
    { method: "POST", json: { name: `t-${crypto.randomUUID()}`, ...tenant } },
    201,
  );
  const k = await adminCall<{ id: string; key: string }>(gatewayUrl, `/admin/tenants/${t.id}/keys`, { method: "POST", json: key }, 201);
  return { tenantId: t.id, keyId: k.id, apiKey: k.key };
}
