import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { tenants } from "./tenants";

/** A tenant's API key. Only the SHA-256 of the key is stored; `prefix` is for display. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name"),
    /** Hex SHA-256 of the full key. */
    hash: text("hash").notNull().unique(),
    /** First characters of the key, e.g. `ew_dev_3kF9`, safe to show. */
    prefix: text("prefix").notNull(),
    scopes: text("scopes").array().notNull().default([]),
    /** Models and aliases this key may call; null means all of the tenant's. */
    models: text("models").array(),
    limits: jsonb("limits").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    /** Set on rotation: the key that replaces this one (this one expires after the grace period). */
    replacedBy: text("replaced_by"),
    ...timestamps,
  },
  (t) => [index("api_keys_tenant_idx").on(t.tenantId)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
