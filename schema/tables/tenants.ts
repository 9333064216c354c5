import { jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

export const TENANT_STATUSES = ["active", "suspended"] as const;

/** A customer of the gateway; every row of tenant data points here. */
export const tenants = pgTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  status: text("status", { enum: TENANT_STATUSES }).notNull().default("active"),
  /** Limits, budget and policies; validated by `shared/config/tenant.ts` when read. */
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps,
});

export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;
