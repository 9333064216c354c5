import { createRoute, z } from "@hono/zod-openapi";
import { listAlerts } from "../../shared/storage/postgres/alerts";
import { addDeny, removeDeny } from "../../shared/tenancy/deny";
import { getTenant } from "../../shared/tenancy/tenants";
import { DENY_KINDS } from "../../shared/traffic/policy";
import type { App } from "../app";
import { adminContext } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";
import { TenantParams } from "./admin-tenants";

const Target = z.strictObject({
  kind: z
    .enum(DENY_KINDS)
    .openapi({ description: "`key` (a key id), `user` (an end user of the tenant), `ip` (a client address; admin token only)" }),
  value: z.string().trim().min(1).max(256),
  tenantId: z.string().min(1).max(100).optional().openapi({ description: "Required for `key` and `user`; absent for `ip`" }),
});

const scoped = (t: { kind: string; tenantId?: string | undefined }, ctx: z.RefinementCtx) => {
  if ((t.kind === "ip") === (t.tenantId !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["tenantId"],
      message: t.kind === "ip" ? "ip entries are gateway-wide: no tenantId" : "tenantId is required for key and user entries",
    });
  }
};

const DenyTarget = Target.superRefine(scoped).openapi("DenyTarget");
const DenyEntry = Target.extend({
  ttlSeconds: z
    .number()
    .int()
    .positive()
    .max(365 * 86_400)
    .optional()
    .openapi({ description: "Unblock after this long; absent = until removed" }),
})
  .superRefine(scoped)
  .openapi("DenyEntry");

const json = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });
const ok = { 200: { description: "Done", content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } } } };

const addRoute = createRoute({
  method: "put",
  path: "/admin/deny",
  tags: ["Admin"],
  summary: "Block a key, an end user or a client address (403 at the next request)",
  security: [{ bearerAuth: [] }],
  request: json(DenyEntry),
  responses: { ...ok, ...adminErrorResponses },
});
const removeRoute = createRoute({
  method: "delete",
  path: "/admin/deny",
  tags: ["Admin"],
  summary: "Lift a block",
  security: [{ bearerAuth: [] }],
  request: json(DenyTarget),
  responses: { ...ok, ...adminErrorResponses },
});

const Alert = z
  .object({
    id: z.number(),
    kind: z.string(),
    period: z.string(),
    message: z.string(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi("Alert");
const alertsRoute = createRoute({
  method: "get",
  path: "/admin/tenants/{id}/alerts",
  tags: ["Admin"],
  summary: "A tenant's alerts (e.g. budget_soft_limit), newest first",
  security: [{ bearerAuth: [] }],
  request: { params: TenantParams },
  responses: {
    200: { description: "Alerts", content: { "application/json": { schema: z.object({ data: z.array(Alert) }) } } },
    ...adminErrorResponses,
  },
});

/** The deny list and alerts of the admin API. */
export const registerAdminTraffic = (app: App) => {
  app.openapi(addRoute, async (c) => {
    await addDeny(adminContext(c), c.req.valid("json"));
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(removeRoute, async (c) => {
    await removeDeny(adminContext(c), c.req.valid("json"));
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(alertsRoute, async (c) => {
    const ctx = adminContext(c);
    const { id } = c.req.valid("param");
    await getTenant(ctx, id);
    const rows = await listAlerts(ctx.db, id);
    return c.json(
      {
        data: rows.map((a) => ({
          id: a.id,
          kind: a.kind,
          period: a.period,
          message: a.message,
          payload: a.payload,
          createdAt: a.createdAt.toISOString(),
        })),
      },
      200,
    );
  });
};
