import { doublePrecision, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

export const EXPERIMENT_STATUSES = ["running", "stopped"] as const;

/** One arm of an experiment: a version, a deployment or a parameter set, with its traffic weight. */
export type Variant = {
  name: string;
  weight: number;
  version?: string;
  deploymentId?: string;
  params?: Record<string, unknown>;
  stopped?: boolean;
};

/**
 * An A/B experiment on a logical model, per tenant or global (tenant null). Assignment is sticky:
 * a hash of `salt` and the end user (or key).
 */
export const experiments = pgTable(
  "experiments",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id"),
    model: text("model").notNull(),
    name: text("name").notNull(),
    salt: text("salt").notNull(),
    status: text("status", { enum: EXPERIMENT_STATUSES }).notNull().default("running"),
    variants: jsonb("variants").$type<Variant[]>().notNull(),
    /** Stop a variant whose error rate is significantly worse than the control's. */
    guardrail: jsonb("guardrail").$type<{ maxErrorRateIncrease?: number; alpha?: number } | null>(),
    /** Mirror a share of traffic to a candidate version; its answers are recorded, never returned. */
    shadow: jsonb("shadow").$type<{ version: string; percent: number } | null>(),
    /** Computed by the cron: per-variant metrics and significance. */
    results: jsonb("results").$type<Record<string, unknown> | null>(),
    resultsAt: timestamp("results_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
  },
  (t) => [index("experiments_model_idx").on(t.model)],
);

/** A client's rating of one answer (`POST /v1/feedback`). */
export const feedback = pgTable(
  "feedback",
  {
    requestId: text("request_id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    score: doublePrecision("score").notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("feedback_tenant_idx").on(t.tenantId)],
);

export type Experiment = typeof experiments.$inferSelect;
export type NewExperiment = typeof experiments.$inferInsert;
export type Feedback = typeof feedback.$inferSelect;
