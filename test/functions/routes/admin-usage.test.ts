import { describe, expect, it } from "vitest";
import { admin, chat, expectJson, newKey, newTenant, pollUntil } from "../../helpers/workers/admin";

type Report = {
  data: Array<{ group: string; requests: number; costMicroUsd: number }>;
  totals: { requests: number; promptTokens: number; completionTokens: number; costMicroUsd: number };
};

describe("admin usage", () => {
  it("reports a tenant's flushed usage grouped by key, equal to the responses' usage and cost headers", async () => {
    const tenant = await newTenant();
    const [a, b, unused] = [await newKey(tenant.id), await newKey(tenant.id), await newKey(tenant.id)];
    const served = [];
    for (const key of [a, a, b]) {
      const res = await chat(key.key);
      const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      served.push({ key: key.id, usage: body.usage, cost: Math.round(Number(res.headers.get("x-edgeway-cost-usd")) * 1e6) });
    }
    let report: Report | undefined;
    await pollUntil(async () => {
      await expectJson(await admin("/admin/usage/flush", { method: "POST" }), 200);
      report = await expectJson<Report>(await admin(`/admin/tenants/${tenant.id}/usage?groupBy=key`), 200);
      return report.totals.requests === 3;
    }, 5000);
    expect(report?.totals).toMatchObject({
      requests: 3,
      promptTokens: served.reduce((s, x) => s + x.usage.prompt_tokens, 0),
      completionTokens: served.reduce((s, x) => s + x.usage.completion_tokens, 0),
      costMicroUsd: served.reduce((s, x) => s + x.cost, 0),
    });
    expect(report?.data.map((r) => [r.group, r.requests]).sort()).toEqual(
      [
        [a.id, 2],
        [b.id, 1],
      ].sort(),
    );
    const keys = await expectJson<{ data: Array<{ id: string; lastUsedAt: string | null }> }>(
      await admin(`/admin/tenants/${tenant.id}/keys`),
      200,
    );
    const lastUsed = Object.fromEntries(keys.data.map((k) => [k.id, k.lastUsedAt]));
    expect(Date.parse(lastUsed[a.id] ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(lastUsed[b.id] ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(lastUsed[unused.id]).toBeNull();
  });

  it("refuses another tenant's usage to a tenant admin key (404, as if it did not exist)", async () => {
    const [mine, theirs] = [await newTenant(), await newTenant()];
    const myAdmin = await newKey(mine.id, { scopes: ["admin"] });
    const res = await admin(`/admin/tenants/${theirs.id}/usage`, { key: myAdmin.key });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await admin(`/admin/tenants/${mine.id}/usage`, { key: myAdmin.key })).status).toBe(200);
    const plain = await newKey(mine.id);
    expect((await admin(`/admin/tenants/${mine.id}/usage`, { key: plain.key })).status).toBe(403);
  });
});
