import { createRoute, z } from "@hono/zod-openapi";
import { GatewayError } from "../../shared/errors/gateway-error";
import { flushUsage } from "../../shared/metering/flush";
import { UsageQuery, UsageReportSchema } from "../../shared/metering/usage-query";
import { usageReport } from "../../shared/storage/postgres/usage-report";
import { getTenant } from "../../shared/tenancy/tenants";
import type { App } from "../app";
import { adminContext } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";
import { TenantParams } from "./admin-tenants";

const report = createRoute({
  method: "get",
  path: "/admin/tenants/{id}/usage",
  tags: ["Admin"],
  summary: "A tenant's usage (flushed events), grouped by day, model or key",
  security: [{ bearerAuth: [] }],
  request: { params: TenantParams, query: UsageQuery },
  responses: {
    200: { description: "Usage report", content: { "application/json": { schema: UsageReportSchema } } },
    ...adminErrorResponses,
  },
});

const FlushResult = z
  .object({ read: z.number(), inserted: z.number(), batches: z.number() })
  .openapi("FlushResult", { description: "Events read from the buffer, newly inserted (a retried event counts 0), batches" });

const flush = createRoute({
  method: "post",
  path: "/admin/usage/flush",
  tags: ["Admin"],
  summary: "Move buffered usage events to Postgres now (the cron does it every minute)",
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: "What was flushed", content: { "application/json": { schema: FlushResult } } }, ...adminErrorResponses },
});

/** `GET /admin/tenants/:id/usage` and `POST /admin/usage/flush`. */
export const registerAdminUsage = (app: App) => {
  app.openapi(report, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const ctx = adminContext(c);
    await getTenant(ctx, id);
    const data = await usageReport(ctx.db, id, query);
    return c.json({ ...data, from: query.from.toISOString(), to: query.to.toISOString(), groupBy: query.groupBy }, 200);
  });
  app.openapi(flush, async (c) => {
    const { redis, db, env } = c.get("services");
    const { error, ...result } = await flushUsage({ redis, db, keyPrefix: env.REDIS_KEY_PREFIX });
    if (error)
      throw new GatewayError("service_unavailable", "Postgres is unreachable; usage events stay buffered until the next flush", {
        cause: error,
      });
    return c.json(result, 200);
  });
};
