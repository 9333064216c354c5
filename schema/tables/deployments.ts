import { bigint, doublePrecision, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

export const DEPLOYMENT_STATUSES = ["active", "disabled"] as const;

/**
 * One place a model can be served: a provider's upstream model in a region, with its own base URL,
 * weight and (optionally) prices that override the provider's list prices.
 */
export const deployments = pgTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    upstreamModel: text("upstream_model").notNull(),
    /** e.g. `eu-west`, `us-east`; residency pins match its prefix (`eu`). */
    region: text("region").notNull(),
    lat: doublePrecision("lat"),
    lon: doublePrecision("lon"),
    /** Overrides the provider's base URL (e.g. a regional endpoint); null = the provider's. */
    baseUrl: text("base_url"),
    weight: integer("weight").notNull().default(1),
    /** Provider options, e.g. `{ "apiVersion": "2024-10-21" }` for Azure. */
    options: jsonb("options").$type<Record<string, string>>().notNull().default({}),
    inputMicroUsdPerMTok: bigint("input_micro_usd_per_mtok", { mode: "number" }),
    outputMicroUsdPerMTok: bigint("output_micro_usd_per_mtok", { mode: "number" }),
    status: text("status", { enum: DEPLOYMENT_STATUSES }).notNull().default("active"),
    ...timestamps,
  },
  (t) => [index("deployments_region_idx").on(t.region)],
);

export type Deployment = typeof deployments.$inferSelect;
export type NewDeployment = typeof deployments.$inferInsert;
