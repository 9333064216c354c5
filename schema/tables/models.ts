import { pgTable, text } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

export const MODEL_CAPABILITIES = ["chat", "embeddings"] as const;

/** A model clients can name, served by one provider's upstream model (priced in `model_prices`). */
export const models = pgTable("models", {
  name: text("name").primaryKey(),
  provider: text("provider").notNull(),
  upstreamModel: text("upstream_model").notNull(),
  capabilities: text("capabilities", { enum: MODEL_CAPABILITIES }).array().notNull(),
  ...timestamps,
});

export type Model = typeof models.$inferSelect;
export type NewModel = typeof models.$inferInsert;
