import { bigint, boolean, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

export const CACHE_STATUSES = ["hit", "semantic-hit", "miss", "bypass"] as const;

/**
 * One row per gateway request, written by the usage flush; idempotent on `request_id`. Tokens and
 * cost are what the upstream served and billed; a cache hit has zero of both and records what it
 * saved instead.
 */
export const usageEvents = pgTable(
  "usage_events",
  {
    requestId: text("request_id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    keyId: text("key_id"),
    endpoint: text("endpoint").notNull(),
    modelRequested: text("model_requested").notNull(),
    provider: text("provider"),
    upstreamModel: text("upstream_model"),
    variant: text("variant"),
    experimentId: text("experiment_id"),
    region: text("region"),
    deploymentId: text("deployment_id"),
    /** The client request this attempt belongs to (retries, fallbacks, hedges, shadows); null for the request itself. */
    parentRequestId: text("parent_request_id"),
    /** `request` for the client's own event, else `retry` | `fallback` | `hedge` | `shadow`. */
    attemptKind: text("attempt_kind").notNull().default("request"),
    /** Upstream attempts made for the client's request (1 when the first answered). */
    attempts: integer("attempts").notNull().default(1),
    /** Why the complexity router picked the model, when it did (e.g. `simple→mock-small`). */
    routedBy: text("routed_by"),
    streamed: boolean("streamed").notNull().default(false),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    /** Tokens were counted by the gateway because the provider reported none. */
    usageEstimated: boolean("usage_estimated").notNull().default(false),
    costMicroUsd: bigint("cost_micro_usd", { mode: "number" }).notNull().default(0),
    /** The `model_prices` row the cost was computed with. */
    priceId: bigint("price_id", { mode: "number" }),
    savedMicroUsd: bigint("saved_micro_usd", { mode: "number" }).notNull().default(0),
    latencyMs: integer("latency_ms"),
    ttftMs: integer("ttft_ms"),
    cacheStatus: text("cache_status", { enum: CACHE_STATUSES }).notNull().default("miss"),
    status: integer("status").notNull(),
    errorCode: text("error_code"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("usage_events_tenant_time_idx").on(t.tenantId, t.createdAt)],
);

export type UsageEvent = typeof usageEvents.$inferSelect;
export type NewUsageEvent = typeof usageEvents.$inferInsert;
