import { bigserial, index, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";

/** Something ops or a tenant must hear about (e.g. a budget's soft threshold), raised once per period. */
export const alerts = pgTable(
  "alerts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: text("tenant_id"),
    kind: text("kind").notNull(),
    /** What makes it unique: one alert per tenant, kind and period (e.g. `2026-11`). */
    period: text("period").notNull(),
    message: text("message").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [unique("alerts_once_per_period").on(t.tenantId, t.kind, t.period), index("alerts_tenant_time_idx").on(t.tenantId, t.createdAt)],
);

export type Alert = typeof alerts.$inferSelect;
export type NewAlert = typeof alerts.$inferInsert;
