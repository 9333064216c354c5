/** Latency statistics shared by every load generator (pure). */

export type LatencySummary = { n: number; mean: number; p50: number; p90: number; p99: number; max: number };

/**
 * The p-th percentile of ascending values, by wrk's rule (rank = round(p/100 · n + 0.5), the first
 * value whose cumulative count reaches it), so our numbers and wrk's mean the same thing.
 */
export function percentile(sortedAsc: readonly number[], p: number): number {
  const n = sortedAsc.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.round((p / 100) * n + 0.5)));
  return sortedAsc[rank - 1] as number;
}

/** n, mean, p50/p90/p99 and max of the values (any unit; the unit is kept). */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? Number.NaN : sorted.reduce((s, v) => s + v, 0) / n;
  return {
    n,
    mean,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n === 0 ? Number.NaN : (sorted[n - 1] as number),
  };
}

/**
 * wrk's coordinated-omission correction (`stats_correct` in wrk 4): every sample at least twice the
 * expected interval adds synthetic samples at v − e, v − 2e, … while above e, i.e. the requests a
 * stalled connection would have sent. Values and `expected` in the same unit; `cap` bounds the
 * samples added (a long stall at a short interval would add millions).
 */
export function correctLikeWrk(values: readonly number[], expected: number, cap = 1_000_000): number[] {
  const out = [...values];
  if (!(expected > 0)) return out;
  let added = 0;
  for (const v of values) {
    if (v < 2 * expected) continue;
    for (let m = v - expected; m > expected && added < cap; m -= expected, added++) out.push(m);
  }
  return out;
}

/** The interval wrk expects per connection: run time / (completed requests / connections). */
export const expectedInterval = (durationMs: number, completed: number, connections: number) =>
  completed >= connections ? durationMs / (completed / connections) : 0;

/** True when two percentiles differ by more than `rel` (relative) and `abs` (absolute) at once. */
export const differs = (a: number, b: number, rel = 0.2, abs = 0.2) => Math.abs(a - b) > abs && Math.abs(a - b) > rel * Math.min(a, b);

/** The median (mean of the middle two for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** a / b, or undefined when either is missing or b is not positive. */
export const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
