import { ALGORITHMS } from "../config/tenant";
import type { KeyRecord } from "../storage/postgres/api-keys";
import type { LimitCheck, Preflight } from "./plan";

const MINUTE = 60_000;
/** Completion tokens reserved when neither the request nor the tenant says. */
export const DEFAULT_MAX_TOKENS = 1024;
/** An in-flight slot lives this long if its release is lost (a crashed isolate). */
const INFLIGHT_TTL_S = 300;

/** Who is asking, for what: the inputs of a request's limits. */
export type Asking = {
  prefix: string;
  now: number;
  key: KeyRecord;
  /** The end user (body `user` or `x-edgeway-user`). */
  user?: string;
  /** The client address (`cf-connecting-ip`). */
  ip?: string;
  /** Upper bound of the request's tokens (prompt bound + completion reservation); 0 for none. */
  tokens: number;
  /** Upper bound of its cost in micro-USD. */
  worstCostMicroUsd: number;
  /** The exact-cache entry to read, when the request may be served from cache. */
  cacheKey?: string;
  /** Deployment state hashes to read in the same round trip. */
  deploymentKeys?: string[];
};

export const DENY_KINDS = ["key", "user", "ip"] as const;
export type DenyTarget = { kind: (typeof DENY_KINDS)[number]; value: string; tenantId?: string };

/** The Redis key whose existence blocks a key, a tenant's end user, or a client address. */
export const denyKey = (prefix: string, t: DenyTarget) =>
  t.kind === "user" ? `${prefix}deny:user:${t.tenantId}:${t.value}` : `${prefix}deny:${t.kind}:${t.value}`;

/** The UTC calendar month `YYYY-MM` of a time: a budget's period. */
export const budgetMonth = (now: number) => new Date(now).toISOString().slice(0, 7);

/** The Redis key of a tenant's spend (spent + reserved micro-USD) in the month of `now`. */
export const budgetKey = (prefix: string, tenantId: string, now: number) => `${prefix}budget:${tenantId}:${budgetMonth(now)}`;

/**
 * The preflight plan of a request: request and token limits of the key, its tenant and the end
 * user (tenant `traffic.userLimits`), the tenant's budget escrow, the key's in-flight cap, the deny
 * list (key, end user, address) and the exact-cache read. Pure.
 */
export function preflightPlan(a: Asking): Preflight {
  const { key, prefix } = a;
  const algorithm = key.tenant.traffic?.algorithm ?? ALGORITHMS[0];
  const limits: LimitCheck[] = [];
  const add = (scope: LimitCheck["scope"], id: string, rpm?: number, tpm?: number) => {
    const base = `${prefix}rl:${scope}:${id}`;
    if (rpm) limits.push({ scope, kind: "requests", algorithm, limit: rpm, windowMs: MINUTE, cost: 1, base: `${base}:requests` });
    if (tpm && a.tokens > 0)
      limits.push({ scope, kind: "tokens", algorithm, limit: tpm, windowMs: MINUTE, cost: a.tokens, base: `${base}:tokens` });
  };
  add("key", key.id, key.limits.rpm, key.limits.tpm);
  add("tenant", key.tenantId, key.tenant.limits?.rpm, key.tenant.limits?.tpm);
  const userLimits = key.tenant.traffic?.userLimits;
  if (a.user && userLimits) add("user", `${key.tenantId}:${a.user}`, userLimits.rpm, userLimits.tpm);

  const deny = [
    denyKey(prefix, { kind: "key", value: key.id }),
    ...(a.user ? [denyKey(prefix, { kind: "user", value: a.user, tenantId: key.tenantId })] : []),
    ...(a.ip ? [denyKey(prefix, { kind: "ip", value: a.ip })] : []),
  ];
  const monthly = key.tenant.budget?.monthlyUsd;
  return {
    now: a.now,
    deny,
    limits,
    ...(a.cacheKey ? { cacheKey: a.cacheKey } : {}),
    ...(a.deploymentKeys?.length ? { deploymentKeys: a.deploymentKeys } : {}),
    ...(monthly
      ? {
          budget: {
            key: budgetKey(prefix, key.tenantId, a.now),
            limitMicroUsd: Math.round(monthly * 1_000_000),
            costMicroUsd: a.worstCostMicroUsd,
          },
        }
      : {}),
    ...(key.limits.maxInFlight
      ? { inflight: { key: `${prefix}inflight:key:${key.id}`, max: key.limits.maxInFlight, ttlSeconds: INFLIGHT_TTL_S } }
      : {}),
  };
}
