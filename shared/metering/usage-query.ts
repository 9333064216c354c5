import { z } from "@hono/zod-openapi";
import { USAGE_GROUPS } from "../storage/postgres/usage-report";

const monthStart = (d: Date, offset = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));

/** The start of the UTC month of `now`. */
export const spendMonthStart = (now: number) => monthStart(new Date(now));

/**
 * `?from&to&groupBy` of the usage endpoints: ISO 8601 instants (`from` inclusive, `to` exclusive),
 * defaulting to the current UTC month; `groupBy` day (default), model or key.
 */
export const UsageQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    groupBy: z.enum(USAGE_GROUPS).default("day"),
  })
  .transform((q, ctx) => {
    const now = new Date();
    const from = q.from ? new Date(q.from) : monthStart(now);
    const to = q.to ? new Date(q.to) : monthStart(now, 1);
    if (from >= to) ctx.addIssue({ code: "custom", message: "from must be before to", path: ["from"] });
    return { from, to, groupBy: q.groupBy };
  });

const Totals = z.object({
  requests: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costMicroUsd: z.number(),
  costUsd: z.number(),
  cacheHits: z.number(),
  savedMicroUsd: z.number(),
  savedUsd: z.number(),
  errors: z.number(),
});

/** The usage report body. */
export const UsageReportSchema = z
  .object({
    data: z.array(Totals.extend({ group: z.string().nullable() })),
    totals: Totals,
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(USAGE_GROUPS),
  })
  .openapi("UsageReport");
