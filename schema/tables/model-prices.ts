import { bigint, bigserial, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";

/**
 * Versioned prices of a provider's model, in micro-USD per million tokens. The row in force for a
 * request is the latest with `effective_from` ≤ the request time; its id is stored on the usage
 * event, so a cost is never recomputed silently.
 */
export const modelPrices = pgTable(
  "model_prices",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    provider: text("provider").notNull(),
    /** The upstream model id as the provider names it. */
    model: text("model").notNull(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true, mode: "date" }).notNull(),
    inputMicroUsdPerMTok: bigint("input_micro_usd_per_mtok", { mode: "number" }).notNull(),
    outputMicroUsdPerMTok: bigint("output_micro_usd_per_mtok", { mode: "number" }).notNull(),
    /** Cached prompt tokens; null = the input price. */
    cachedInputMicroUsdPerMTok: bigint("cached_input_micro_usd_per_mtok", { mode: "number" }),
    /** Prompt tokens written to a provider cache (Anthropic); null = the input price. */
    cacheWriteMicroUsdPerMTok: bigint("cache_write_micro_usd_per_mtok", { mode: "number" }),
    /** Reasoning tokens; null = the output price. */
    reasoningMicroUsdPerMTok: bigint("reasoning_micro_usd_per_mtok", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [unique("model_prices_version").on(t.provider, t.model, t.effectiveFrom)],
);

export type ModelPrice = typeof modelPrices.$inferSelect;
export type NewModelPrice = typeof modelPrices.$inferInsert;
