import { describe, expect, it } from "vitest";
import { newApp } from "../../../functions/app";
import { adminAuth, assertTenantAccess } from "../../../functions/middleware/admin-auth";
import { requestId } from "../../../functions/middleware/request-id";
import type { Services } from "../../../shared/services";

const ADMIN_TOKEN = "ewadm_unit_test_token_0123456789";

/** A tiny app: the middleware in front of a handler that echoes the actor. Stores are never reached on the token path. */
function tinyApp() {
  const app = newApp();
  let reached = 0;
  app.use("*", requestId(), async (c, next) => {
    c.set("services", { env: { ADMIN_TOKEN, REDIS_KEY_PREFIX: "t:" } } as unknown as Services);
    await next();
  });
  app.use("/admin/*", adminAuth());
  app.get("/admin/whoami", (c) => {
    reached++;
    return c.json(c.get("actor"));
  });
  return { app, reached: () => reached };
}

describe("adminAuth()", () => {
  it("admits the admin token as the admin actor", async () => {
    const { app } = tinyApp();
    const res = await app.request("/admin/whoami", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ kind: "admin" });
  });

  it("refuses a missing or wrong token with 401 before the handler", async () => {
    const { app, reached } = tinyApp();
    for (const headers of [
      {},
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: ADMIN_TOKEN },
      { authorization: "Bearer nope" },
    ] as Record<string, string>[]) {
      const res = await app.request("/admin/whoami", { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { message: "Missing or invalid admin token", type: "invalid_request_error", param: null, code: "invalid_api_key" },
      });
    }
    expect(reached()).toBe(0);
  });
});

describe("assertTenantAccess()", () => {
  it("lets the admin token anywhere and a tenant actor only into its own tenant (404 elsewhere)", () => {
    expect(() => assertTenantAccess({ kind: "admin" }, "ten_b")).not.toThrow();
    expect(() => assertTenantAccess({ kind: "tenant", tenantId: "ten_a", keyId: "key_1" }, "ten_a")).not.toThrow();
    expect(() => assertTenantAccess({ kind: "tenant", tenantId: "ten_a", keyId: "key_1" }, "ten_b")).toThrow(
      expect.objectContaining({ code: "not_found", status: 404, message: "Tenant `ten_b` not found" }),
    );
  });
});
