import { z } from "zod";
import { CacheSettings } from "../cache/settings";
import { RoutingSettings } from "../registry/settings";

/** Request and token limits per minute; absent = unlimited. Used by tenants, keys and end users. */
export const Limits = z.strictObject({
  /** Requests per minute. */
  rpm: z.number().int().positive().optional(),
  /** Tokens (prompt + completion) per minute. */
  tpm: z.number().int().positive().optional(),
  /** Requests in flight at once (keys only). */
  maxInFlight: z.number().int().positive().optional(),
});
export type Limits = z.infer<typeof Limits>;

/** A monthly spending cap in USD (calendar month, UTC), with a soft alert threshold. */
export const Budget = z.strictObject({
  monthlyUsd: z.number().positive().max(1e9),
  /** Spend share that raises a `budget_soft_limit` alert (once per month). @default 80 */
  alertAtPercent: z.number().int().min(1).max(100).optional(),
  /** Also POSTed the alert as JSON. */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export const ALGORITHMS = ["sliding", "fixed", "bucket"] as const;

/** How a tenant's limits are enforced. */
export const TrafficSettings = z.strictObject({
  /** @default "sliding" */
  algorithm: z.enum(ALGORITHMS).optional(),
  /** Limits per end user (the request's `user`, or `x-edgeway-user`). */
  userLimits: Limits.omit({ maxInFlight: true }).optional(),
  /** Completion tokens reserved for a request without `max_tokens`. @default 1024 */
  defaultMaxTokens: z.number().int().positive().max(1_000_000).optional(),
  /** Refuse requests (503) when Redis is unreachable instead of serving without limits. @default false */
  failClosed: z.boolean().optional(),
});
export type TrafficSettings = z.infer<typeof TrafficSettings>;
export type Budget = z.infer<typeof Budget>;

/**
 * What `tenants.settings` holds. Loose, so settings added later (policies, residency) survive a
 * read-modify-write by code that does not know them yet.
 */
export const TenantSettings = z.looseObject({
  limits: Limits.optional(),
  budget: Budget.optional(),
  traffic: TrafficSettings.optional(),
  cache: CacheSettings.optional(),
  routing: RoutingSettings.optional(),
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
  const traffic = TrafficSettings.safeParse(obj.traffic);
  const cache = CacheSettings.safeParse(obj.cache ?? {});
  const routing = RoutingSettings.safeParse(obj.routing ?? {});
  return {
    ...obj,
    limits: limits.success ? limits.data : undefined,
    budget: budget.success ? budget.data : undefined,
    traffic: traffic.success ? traffic.data : undefined,
    cache: cache.success ? cache.data : undefined,
    routing: routing.success ? routing.data : undefined,
  };
}
