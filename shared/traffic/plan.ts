import type { ALGORITHMS } from "../config/tenant";

export type Algorithm = (typeof ALGORITHMS)[number];

/** One windowed limit: requests (cost 1) or tokens (cost = the reservation) per window. */
export type LimitCheck = {
  scope: "key" | "tenant" | "user";
  kind: "requests" | "tokens";
  algorithm: Algorithm;
  limit: number;
  windowMs: number;
  cost: number;
  /** Redis key base (prefixed, scoped), e.g. `ew:rl:key:<id>:requests`. */
  base: string;
};

export type Preflight = {
  now: number;
  /** Keys whose existence refuses the request (deny list). */
  deny: string[];
  /** The exact-cache entry to read, when the request may be served from cache. */
  cacheKey?: string;
  limits: LimitCheck[];
  /** Monthly spend escrow: `key` holds spent + reserved micro-USD. */
  budget?: { key: string; limitMicroUsd: number; costMicroUsd: number };
  inflight?: { key: string; max: number; ttlSeconds: number };
  /** Per-deployment state hashes (breaker, load) to read in the same round trip, when admitted. */
  deploymentKeys?: string[];
};

export type Reason = "" | "denied" | "limit" | "budget" | "budget_unknown" | "inflight";

export type CheckResult = {
  check: LimitCheck;
  remaining: number;
  resetAt: number /** The key the cost went to (for settling). */;
  key: string;
};

export type PreflightResult = {
  ok: boolean;
  reason: Reason;
  failed?: CheckResult;
  /** The exact-cache entry, when there is one. */
  cached?: string;
  /** Spent + reserved micro-USD this month after this request (when a budget applies). */
  budgetSpent?: number;
  /** HGETALL of each `deploymentKeys` entry (flat field/value arrays), in order. */
  deploymentHashes: string[][];
  checks: CheckResult[];
};

const ALGO_CODE: Record<Algorithm, string> = { sliding: "s", fixed: "f", bucket: "b" };

/** The Redis keys a check touches at `now`: the current window (and the previous, for sliding). */
export function windowKeys(check: LimitCheck, now: number): [string, string] {
  if (check.algorithm === "bucket") return [check.base, check.base];
  const index = Math.floor(now / check.windowMs);
  return [`${check.base}:${index}`, `${check.base}:${index - 1}`];
}

/** Positional KEYS and ARGV for PREFLIGHT_LUA. */
export function encodePreflight(plan: Preflight): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const idx = (key: string) => {
    const found = keys.indexOf(key);
    if (found >= 0) return found + 1;
    keys.push(key);
    return keys.length;
  };
  const deny = plan.deny.map(idx).join(",");
  const cache = plan.cacheKey ? idx(plan.cacheKey) : 0;
  const limits = plan.limits
    .map((c) => {
      const [current, previous] = windowKeys(c, plan.now);
      return [
        idx(current),
        idx(previous),
        c.kind === "tokens" ? "t" : "r",
        ALGO_CODE[c.algorithm],
        c.limit,
        c.windowMs,
        Math.ceil(c.cost),
      ].join(",");
    })
    .join(";");
  const budget = plan.budget ? [idx(plan.budget.key), plan.budget.limitMicroUsd, Math.ceil(plan.budget.costMicroUsd)].join(",") : "";
  const inflight = plan.inflight ? [idx(plan.inflight.key), plan.inflight.max, plan.inflight.ttlSeconds].join(",") : "";
  const hashes = (plan.deploymentKeys ?? []).map(idx).join(",");
  return { keys, args: [String(plan.now), String(cache), deny, limits, budget, inflight, hashes] };
}

/** The script's flat reply → a typed result. */
export function decodePreflight(plan: Preflight, reply: unknown[]): PreflightResult {
  const [ok, reason, failed, cached, spent, hashes, ...pairs] = reply;
  const checks: CheckResult[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const check = plan.limits[i / 2];
    if (check) checks.push({ check, remaining: Number(pairs[i]), resetAt: Number(pairs[i + 1]), key: windowKeys(check, plan.now)[0] });
  }
  const failedIndex = Number(failed);
  return {
    ok: Number(ok) === 1,
    reason: String(reason ?? "") as Reason,
    ...(failedIndex > 0 && checks[failedIndex - 1] ? { failed: checks[failedIndex - 1] } : {}),
    ...(typeof cached === "string" && cached !== "" ? { cached } : {}),
    ...(Number(spent) >= 0 ? { budgetSpent: Number(spent) } : {}),
    deploymentHashes: Array.isArray(hashes) ? hashes.map((h) => (Array.isArray(h) ? h.map(String) : [])) : [],
    checks,
  };
}

export type Postflight = {
  /** Reserved tokens minus used tokens, per token check that reserved. */
  tokens: Array<{ key: string; delta: number; bucket: boolean }>;
  budget?: { key: string; deltaMicroUsd: number };
  inflightKey?: string;
  cache?: { key: string; value: string; ttlSeconds: number };
  usage?: { stream: string; event: string };
  /** The answering deployment's breaker record (see resilience/breaker.ts `recordArgs`). */
  breaker?: { key: string; args: string[] };
};

/** Positional KEYS and ARGV for POSTFLIGHT_LUA. */
export function encodePostflight(plan: Postflight): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const idx = (key: string) => {
    keys.push(key);
    return keys.length;
  };
  const tokens = plan.tokens.map((t) => [idx(t.key), Math.round(t.delta), t.bucket ? 1 : 0].join(",")).join(";");
  const budget = plan.budget ? [idx(plan.budget.key), Math.round(plan.budget.deltaMicroUsd)].join(",") : "";
  const inflight = plan.inflightKey ? idx(plan.inflightKey) : 0;
  const cache = plan.cache ? idx(plan.cache.key) : 0;
  const usage = plan.usage ? idx(plan.usage.stream) : 0;
  const breaker = plan.breaker ? idx(plan.breaker.key) : 0;
  return {
    keys,
    args: [
      tokens,
      budget,
      String(inflight),
      String(cache),
      String(plan.cache?.ttlSeconds ?? 0),
      plan.cache?.value ?? "",
      String(usage),
      plan.usage?.event ?? "",
      String(breaker),
      ...(plan.breaker?.args ?? []),
    ],
  };
}
