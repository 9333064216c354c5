import { createRoute } from "@hono/zod-openapi";
import { UsageQuery, UsageReportSchema } from "../../shared/metering/usage-query";
import { usageReport } from "../../shared/storage/postgres/usage-report";
import type { App } from "../app";
import { openAIErrorResponses } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/v1/usage",
  security: [{ bearerAuth: [] }],
  request: { query: UsageQuery },
  responses: {
    200: { description: "The caller's own tenant's usage", content: { "application/json": { schema: UsageReportSchema } } },
    ...openAIErrorResponses,
  },
});

/** `GET /v1/usage`: the calling key's tenant's usage (flushed events), never another tenant's. */
export const registerUsage = (app: App) =>
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const report = await usageReport(c.get("services").db, c.get("apiKey").tenantId, query);
    return c.json({ ...report, from: query.from.toISOString(), to: query.to.toISOString(), groupBy: query.groupBy }, 200);
  });
