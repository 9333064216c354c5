import { describe, expect, it } from "vitest";
import { gateway } from "../../helpers/workers/gateway";

describe("GET /openapi.json", () => {
  it("documents every client and admin route, with the bearer scheme", async () => {
    const res = await gateway("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        "POST /v1/chat/completions",
        "POST /v1/messages",
        "POST /v1/embeddings",
        "GET /v1/models",
        "POST /admin/tenants",
        "GET /admin/tenants/{id}",
        "PATCH /admin/tenants/{id}",
        "POST /admin/tenants/{id}/keys",
        "GET /admin/tenants/{id}/keys",
        "DELETE /admin/keys/{id}",
        "POST /admin/keys/{id}/rotate",
        "PUT /admin/tenants/{id}/credentials/{provider}",
        "GET /admin/tenants/{id}/credentials",
        "DELETE /admin/tenants/{id}/credentials/{provider}",
      ]),
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith("/admin/"))) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["401", "403", "404"]));
      }
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Tenant", "Key", "CreatedKey", "RotatedKey", "ProviderCredential"]),
    );
  });
});
