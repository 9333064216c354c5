import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

/** One row per gateway request, written by the usage flush; idempotent on `request_id`. */
export const usageEvents = pgTable(
  "usage_events",
  {
    requestId: text("request_id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    keyId: text("key_id"),
    modelRequested: text("model_requested").notNull(),
    provider: text("provider"),
    upstreamModel: text("upstream_model"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    costMicroUsd: bigint("cost_micro_usd", { mode: "number" }).notNull().default(0),
    latencyMs: integer("latency_ms"),
    cacheStatus: text("cache_status").notNull().default("miss"),
    status: integer("status").notNull(),
    errorCode: text("error_code"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("usage_events_tenant_time_idx").on(t.tenantId, t.createdAt)],
);

export type UsageEvent = typeof usageEvents.$inferSelect;
export type NewUsageEvent = typeof usageEvents.$inferInsert;
