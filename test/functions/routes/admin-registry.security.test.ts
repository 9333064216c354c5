import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../../../schema";
import { admin, expectJson, newKey, newTenant, nonce, testDb } from "../../helpers/workers/admin";
import { gateway } from "../../helpers/workers/gateway";

const registryCalls = (model: string, deploymentId: string) => [
  { method: "POST", path: "/admin/deployments", json: { provider: "mock", upstreamModel: "mock-small", region: "eu-west" } },
  { method: "POST", path: "/admin/deployments", json: { nonsense: true } },
  { method: "GET", path: "/admin/deployments" },
  { method: "PATCH", path: `/admin/deployments/${deploymentId}`, json: { status: "disabled" } },
  { method: "POST", path: `/admin/models/${model}/versions`, json: { version: "9.0.0", targets: [{ deploymentId }] } },
  { method: "GET", path: `/admin/models/${model}` },
  { method: "POST", path: `/admin/models/${model}/versions/1.0.0/validate` },
  { method: "PUT", path: `/admin/models/${model}/aliases/stable`, json: { version: "1.0.0" } },
  { method: "POST", path: `/admin/models/${model}/aliases/stable/rollback` },
];

describe("model registry: gateway-wide, admin token only", () => {
  it("answers 403 to a tenant's admin key on every registry endpoint and changes nothing", async () => {
    const model = `bot-${nonce()}`;
    const d = await expectJson<{ id: string }>(
      await admin("/admin/deployments", { method: "POST", json: { provider: "mock", upstreamModel: "mock-small", region: "eu-west" } }),
      201,
    );
    await expectJson(
      await admin(`/admin/models/${model}/versions`, { method: "POST", json: { version: "1.0.0", targets: [{ deploymentId: d.id }] } }),
      201,
    );
    const tenant = await newTenant();
    const tenantAdmin = await newKey(tenant.id, { scopes: ["admin"] });
    const plain = await newKey(tenant.id);
    const auditBefore = await testDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.actor, `key:${tenantAdmin.id}`));
    for (const call of registryCalls(model, d.id)) {
      for (const key of [tenantAdmin.key, plain.key]) {
        const res = await admin(call.path, { method: call.method, json: call.json, key });
        const body = await expectJson<{ error: { code: string; message: string } }>(res, 403);
        expect(body.error.code, `${call.method} ${call.path}`).toBe("permission_denied");
        if (key === tenantAdmin.key) expect(body.error.message).toBe("Only the admin token can manage the model registry");
      }
    }
    expect((await admin("/admin/deployments", { key: "" })).status).toBe(401);
    expect(
      await testDb()
        .select()
        .from(auditLog)
        .where(eq(auditLog.actor, `key:${tenantAdmin.id}`)),
    ).toEqual(auditBefore);
    const view = await expectJson<{ versions: { version: string }[]; aliases: unknown[] }>(await admin(`/admin/models/${model}`), 200);
    expect(view.versions.map((v) => v.version)).toEqual(["1.0.0"]);
    expect(view.aliases).toEqual([]);
  });

  it("is documented in the OpenAPI document", async () => {
    const doc = (await (await gateway("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        "POST /admin/deployments",
        "GET /admin/deployments",
        "PATCH /admin/deployments/{id}",
        "POST /admin/models/{model}/versions",
        "GET /admin/models/{model}",
        "POST /admin/models/{model}/versions/{version}/validate",
        "PUT /admin/models/{model}/aliases/{alias}",
        "POST /admin/models/{model}/aliases/{alias}/rollback",
      ]),
    );
    expect(Object.keys(doc.paths["/admin/deployments"]?.post?.responses ?? {})).toEqual(expect.arrayContaining(["201", "409", "403"]));
    expect(Object.keys(doc.paths["/admin/models/{model}/versions/{version}/validate"]?.post?.responses ?? {})).toContain("502");
  });
});
