/** Latency statistics shared by every load generator (pure). */

export type LatencySummary = { n: number; mean: number; p50: number; p90: number; p99: number; max: number };

/**
 * The p-th percentile of ascending values, by wrk's rule (rank = round(p/100 · n + 0.5), the first
 * value whose cumulative count reaches it), so our numbers and wrk's mean the same thing.
 */
export function percentile(sortedAsc: ArrayLike<number>, p: number): number {
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

/** A seeded generator of uniform numbers in [0, 1) (mulberry32): the same data gives the same interval. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type DiffInterval = { diff: number; lo: number; hi: number; confidence: number };

/**
 * p50(a) − p50(b) for paired samples (a[i] and b[i] measured in the same turn, so a slow moment of
 * the machine weighs on both), with a bootstrap percentile interval: whole turns are resampled
 * `resamples` times. An interval that holds 0 means the runs could not tell the two apart.
 * Undefined for fewer than 2 pairs.
 * @example pairedP50Diff([1.2, 1.3, 1.25], [1.3, 1.35, 1.3]) // { diff: -0.05, lo: …, hi: …, confidence: 0.95 }
 */
export function pairedP50Diff(
  a: readonly number[],
  b: readonly number[],
  o: { resamples?: number; confidence?: number; seed?: number } = {},
): DiffInterval | undefined {
  const { resamples = 2000, confidence = 0.95, seed = 1 } = o;
  const n = Math.min(a.length, b.length);
  if (n < 2) return undefined;
  const p50 = (values: Float64Array) => percentile(values.sort(), 50);
  const random = seeded(seed);
  const [ra, rb] = [new Float64Array(n), new Float64Array(n)];
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const turn = Math.floor(random() * n);
      ra[i] = a[turn] as number;
      rb[i] = b[turn] as number;
    }
    diffs[r] = p50(ra) - p50(rb);
  }
  diffs.sort();
  const tail = (1 - confidence) / 2;
  const at = (q: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return {
    diff: p50(Float64Array.from(a.slice(0, n))) - p50(Float64Array.from(b.slice(0, n))),
    lo: at(tail),
    hi: at(1 - tail),
    confidence,
  };
}

/** A difference with its interval, in ms: `-0.050 ms (95% interval -0.080 to -0.020)`. */
export const describeDiff = (d: DiffInterval): string =>
  `${d.diff.toFixed(3)} ms (${Math.round(d.confidence * 100)}% interval ${d.lo.toFixed(3)} to ${d.hi.toFixed(3)})`;
