import { jsonb, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

/** A deployment a version routes to, with its load-balancing weight. */
export type VersionTarget = { deploymentId: string; weight?: number };

/**
 * A version (semver) of a logical model (e.g. `support-bot@1.4.0`): the deployments that serve it,
 * default parameters and an optional system prompt template. Immutable once created.
 */
export const modelVersions = pgTable(
  "model_versions",
  {
    id: text("id").primaryKey(),
    model: text("model").notNull(),
    version: text("version").notNull(),
    targets: jsonb("targets").$type<VersionTarget[]>().notNull(),
    /** Load-balancing strategy across `targets`. */
    strategy: text("strategy").notNull().default("weighted"),
    /** Fallback models (names clients could call), tried in order when every target fails. */
    fallbacks: text("fallbacks").array().notNull().default([]),
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    systemPrompt: text("system_prompt"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    /** Set when a live probe of the version succeeded; an alias may only point to a validated version. */
    validatedAt: timestamp("validated_at", { withTimezone: true, mode: "date" }),
    ...timestamps,
  },
  (t) => [unique("model_versions_model_version").on(t.model, t.version)],
);

/** `stable`, `canary`, `latest` or any name → a version of a logical model. */
export const modelAliases = pgTable(
  "model_aliases",
  {
    model: text("model").notNull(),
    alias: text("alias").notNull(),
    version: text("version").notNull(),
    /** The version it pointed to before, for instant rollback. */
    previousVersion: text("previous_version"),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.model, t.alias] })],
);

export type ModelVersion = typeof modelVersions.$inferSelect;
export type NewModelVersion = typeof modelVersions.$inferInsert;
export type ModelAlias = typeof modelAliases.$inferSelect;
