import { bigint, pgTable, text } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

export const MODEL_CAPABILITIES = ["chat", "embeddings"] as const;

/**
 * A model clients can name, served by one provider. Prices are micro-USD per million tokens, so a
 * cost is an exact integer: tokens × price / 1e6 micro-USD.
 */
export const models = pgTable("models", {
  name: text("name").primaryKey(),
  provider: text("provider").notNull(),
  upstreamModel: text("upstream_model").notNull(),
  capabilities: text("capabilities", { enum: MODEL_CAPABILITIES }).array().notNull(),
  inputMicroUsdPerMTok: bigint("input_micro_usd_per_mtok", { mode: "number" }).notNull(),
  outputMicroUsdPerMTok: bigint("output_micro_usd_per_mtok", { mode: "number" }).notNull(),
  ...timestamps,
});

export type Model = typeof models.$inferSelect;
export type NewModel = typeof models.$inferInsert;
