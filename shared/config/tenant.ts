import { z } from "zod";

/** Request and token limits per minute; absent = unlimited. Used by tenants and by keys. */
export const Limits = z.strictObject({
  /** Requests per minute. */
  rpm: z.number().int().positive().optional(),
  /** Tokens (prompt + completion) per minute. */
  tpm: z.number().int().positive().optional(),
});
export type Limits = z.infer<typeof Limits>;

/** A monthly spending cap in USD (calendar month, UTC). */
export const Budget = z.strictObject({ monthlyUsd: z.number().positive().max(1e9) });
export type Budget = z.infer<typeof Budget>;

/**
 * What `tenants.settings` holds. Loose, so settings added later (policies, residency) survive a
 * read-modify-write by code that does not know them yet.
 */
export const TenantSettings = z.looseObject({
  limits: Limits.optional(),
  budget: Budget.optional(),
});
export type TenantSettings = z.infer<typeof TenantSettings>;

/** Scopes a key can hold; `admin` lets it manage its own tenant through the admin API. */
export const KEY_SCOPES = ["admin"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/**
 * The tenant's settings as stored, validated; unreadable parts are dropped (a corrupt row must not
 * take the tenant down), never thrown.
 * @example const { limits, budget } = parseTenantSettings(row.settings);
 */
export function parseTenantSettings(raw: unknown): TenantSettings {
  const parsed = TenantSettings.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const obj = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const limits = Limits.safeParse(obj.limits);
  const budget = Budget.safeParse(obj.budget);
  return {
    ...obj,
    limits: limits.success ? limits.data : undefined,
    budget: budget.success ? budget.data : undefined,
  };
}
