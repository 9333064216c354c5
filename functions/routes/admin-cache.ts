import { createRoute, z } from "@hono/zod-openapi";
import { spendMonthStart } from "../../shared/metering/usage-query";
import { cacheStats } from "../../shared/storage/postgres/usage-report";
import { purgeCache } from "../../shared/tenancy/cache-purge";
import { getTenant } from "../../shared/tenancy/tenants";
import type { App } from "../app";
import { adminContext } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";
import { TenantParams } from "./admin-tenants";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const CacheStats = z
  .object({
    since: z.string(),
    hits: z.number(),
    semanticHits: z.number(),
    misses: z.number(),
    bypassed: z.number(),
    savedMicroUsd: z.number(),
    savedUsd: z.number(),
  })
  .openapi("CacheStats");

const stats = createRoute({
  method: "get",
  path: "/admin/tenants/{id}/cache",
  tags: ["Admin"],
  summary: "A tenant's cache outcomes and savings this month (flushed usage)",
  security: [{ bearerAuth: [] }],
  request: { params: TenantParams },
  responses: { 200: json(CacheStats, "Cache statistics"), ...adminErrorResponses },
});

const Deleted = z.object({ deleted: z.number() }).openapi("Deleted");
const purgeAll = createRoute({
  method: "delete",
  path: "/admin/tenants/{id}/cache",
  tags: ["Admin"],
  summary: "Purge every cached answer of a tenant (exact and semantic)",
  security: [{ bearerAuth: [] }],
  request: { params: TenantParams },
  responses: { 200: json(Deleted, "Entries deleted"), ...adminErrorResponses },
});
const purgeOne = createRoute({
  method: "delete",
  path: "/admin/tenants/{id}/cache/{entryId}",
  tags: ["Admin"],
  summary: "Purge one cached answer",
  security: [{ bearerAuth: [] }],
  request: {
    params: TenantParams.extend({
      entryId: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .openapi({ param: { name: "entryId", in: "path" } }),
    }),
  },
  responses: { 200: json(Deleted, "Entries deleted"), ...adminErrorResponses },
});

/** Cache statistics and purges of the admin API. */
export const registerAdminCache = (app: App) => {
  app.openapi(stats, async (c) => {
    const ctx = adminContext(c);
    const { id } = c.req.valid("param");
    await getTenant(ctx, id);
    const since = spendMonthStart(Date.now());
    const s = await cacheStats(ctx.db, id, since);
    return c.json(
      {
        since: since.toISOString(),
        hits: s.hit,
        semanticHits: s["semantic-hit"],
        misses: s.miss,
        bypassed: s.bypass,
        savedMicroUsd: s.savedMicroUsd,
        savedUsd: s.savedMicroUsd / 1e6,
      },
      200,
    );
  });
  app.openapi(purgeAll, async (c) => {
    const ctx = adminContext(c);
    const { id } = c.req.valid("param");
    await getTenant(ctx, id);
    return c.json({ deleted: await purgeCache({ ...ctx, vector: c.get("services").vector }, id) }, 200);
  });
  app.openapi(purgeOne, async (c) => {
    const ctx = adminContext(c);
    const { id, entryId } = c.req.valid("param");
    await getTenant(ctx, id);
    return c.json({ deleted: await purgeCache({ ...ctx, vector: c.get("services").vector }, id, entryId) }, 200);
  });
};
