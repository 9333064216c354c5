import type { Deployment } from "../../schema";
import { distanceKm, type Geo, inResidency, onContinent } from "./geo";

/** Load-balancing strategies a model version can use across its deployments. */
export const STRATEGIES = ["weighted", "round-robin", "least-inflight", "latency", "cost"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A version's stored strategy as a Strategy (`weighted` for anything unknown). */
export const asStrategy = (value: string): Strategy =>
  (STRATEGIES as readonly string[]).includes(value) ? (value as Strategy) : "weighted";

/**
 * Comparable costs for the `cost` strategy from the deployments' own prices: input + output
 * micro-USD per 1M tokens (a 1:1 token mix). Deployments without their own prices are left out
 * (the caller may fill them from the provider's list prices).
 */
export function deploymentPrices(
  deployments: readonly Pick<Deployment, "id" | "inputMicroUsdPerMTok" | "outputMicroUsdPerMTok">[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of deployments) {
    if (d.inputMicroUsdPerMTok != null || d.outputMicroUsdPerMTok != null) {
      out[d.id] = (d.inputMicroUsdPerMTok ?? 0) + (d.outputMicroUsdPerMTok ?? 0);
    }
  }
  return out;
}

/** Width of a geo preference band: deployments within the same 1000 km band count as equally near. */
export const GEO_BAND_KM = 1000;

/** What selection reads of a deployment (a full `Deployment` row fits). */
export type SelectableDeployment = Pick<Deployment, "id" | "region" | "lat" | "lon" | "weight">;

/** A deployment's shared health: its breaker, requests in flight, latency EWMA (null = not measured yet). */
export type DeploymentHealth = { state: "closed" | "open" | "half-open"; inflight: number; ewmaMs: number | null };

export type OrderOptions = {
  strategy: Strategy;
  /** By deployment id; a deployment without an entry counts as closed, idle and unmeasured. */
  health: Readonly<Record<string, DeploymentHealth>>;
  /** The client's location; absent or empty = no geo preference. */
  geo?: Geo;
  /** The tenant's residency pin (a region prefix, see `inResidency`); absent = anywhere. */
  residency?: string;
  /**
   * Request-derived randomness for `weighted` (and tie-breaks), the shared counter for
   * `round-robin`. Any number; it is hashed, so consecutive seeds give independent draws.
   */
  seed: number;
  /** Comparable cost per deployment id, for `cost` (e.g. micro-USD per 1M tokens). Unpriced = last. */
  prices?: Readonly<Record<string, number>>;
};

export type Exclusion = { id: string; reason: "residency" | "open" };

/** Deployments to try, best first, and the ones that may not or should not be tried. */
export type Ordering<D> = { ordered: D[]; excluded: Exclusion[] };

const CLOSED: DeploymentHealth = { state: "closed", inflight: 0, ewmaMs: null };

const fmix32 = (x: number): number => {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** A uniform draw in (0, 1) from the seed and an index (murmur3's finalizer over both). */
function uniform(seed: number, index: number): number {
  const s = Number.isFinite(seed) ? seed : 0;
  const whole = Math.floor(s);
  const parts = [whole >>> 0, Math.floor(whole / 2 ** 32) >>> 0, Math.floor((s - whole) * 2 ** 32) >>> 0];
  let h = fmix32(Math.imul(index + 1, 0x9e3779b9));
  for (const p of parts) h = fmix32(h ^ fmix32(p + 0x6a09e667));
  return (h + 0.5) / 2 ** 32;
}

/**
 * Geo rank (lower = nearer): the 1000 km band of the distance when both sides have coordinates;
 * otherwise after every located deployment, those on the client's continent first. 0 for all
 * when the client's location is unknown.
 */
function geoRank(d: SelectableDeployment, geo: Geo | undefined): number {
  if (!geo || (geo.lat === undefined && !geo.continent)) return 0;
  const km = distanceKm(geo, d);
  if (km !== null) return Math.floor(km / GEO_BAND_KM);
  return onContinent(d, geo.continent) ? 1_000 : 1_001;
}

type Entry<D> = { d: D; index: number; health: DeploymentHealth; draw: number };

/** Efraimidis–Spirakis key: sorting by it descending puts a deployment first with probability weight/Σweights. */
const weightedKey = (e: Entry<SelectableDeployment>): number => (e.d.weight > 0 ? Math.log(e.draw) / e.d.weight : Number.NEGATIVE_INFINITY);

const byWeightedKey = <D extends SelectableDeployment>(a: Entry<D>, b: Entry<D>) => weightedKey(b) - weightedKey(a) || a.index - b.index;

/**
 * Weighted round-robin: the counter walks Σweights slots (a weight-2 deployment owns two in a row);
 * the one owning the slot goes first, the rest follow in rotation, weight-0 ones last.
 */
function roundRobin<D extends SelectableDeployment>(group: Entry<D>[], seed: number): Entry<D>[] {
  const live = group.filter((e) => e.d.weight > 0);
  const pool = live.length > 0 ? live : group;
  const weightOf = (e: Entry<D>) => (live.length > 0 ? e.d.weight : 1);
  const total = pool.reduce((sum, e) => sum + weightOf(e), 0);
  const whole = Number.isFinite(seed) ? Math.floor(seed) : 0;
  let slot = ((whole % total) + total) % total;
  let head = 0;
  while (slot >= weightOf(pool[head] as Entry<D>)) slot -= weightOf(pool[head++] as Entry<D>);
  const rotated = [...pool.slice(head), ...pool.slice(0, head)];
  return [...rotated, ...group.filter((e) => !pool.includes(e))];
}

const ascending = (x: number | null | undefined, y: number | null | undefined, missing: number) => (x ?? missing) - (y ?? missing);

function byStrategy<D extends SelectableDeployment>(group: Entry<D>[], opts: OrderOptions): Entry<D>[] {
  const sorted = (primary: (a: Entry<D>, b: Entry<D>) => number) => [...group].sort((a, b) => primary(a, b) || byWeightedKey(a, b));
  switch (opts.strategy) {
    case "weighted":
      return [...group].sort(byWeightedKey);
    case "round-robin":
      return roundRobin(group, opts.seed);
    case "least-inflight":
      return sorted((a, b) => a.health.inflight - b.health.inflight);
    case "latency":
      // Unmeasured deployments first: one request gives them an EWMA; last, they would never get one.
      return sorted((a, b) => ascending(a.health.ewmaMs, b.health.ewmaMs, -1));
    case "cost":
      return sorted((a, b) => ascending(opts.prices?.[a.d.id], opts.prices?.[b.d.id], Number.POSITIVE_INFINITY));
  }
}

/**
 * Orders a model version's deployments for one request. Pure and deterministic given its inputs.
 *
 * 1. Residency (hard): a deployment outside the tenant's pin is never returned, whatever else
 *    happens; when every in-region deployment is unusable, `ordered` is empty (the caller answers
 *    503), it never spills over.
 * 2. Open breakers are dropped; half-open ones stay, after every closed one, as probe candidates.
 * 3. Geo: when the client's location is known, nearer 1000 km bands come first (see `geoRank`).
 * 4. Within a band, the strategy: `weighted` (random by weight, from `seed`), `round-robin`
 *    (`seed` is the counter; weights give slots), `least-inflight`, `latency` (EWMA; unmeasured
 *    first), `cost` (`prices`; unpriced last). Ties fall back to the weighted draw.
 * Everything after the first entry is the fallback order.
 * @example const { ordered } = orderDeployments(route.deployments, { strategy: "weighted", health, seed });
 */
export function orderDeployments<D extends SelectableDeployment>(deployments: readonly D[], opts: OrderOptions): Ordering<D> {
  const excluded: Exclusion[] = [];
  const bands = new Map<string, { rank: [number, number]; entries: Entry<D>[] }>();
  for (const [index, d] of deployments.entries()) {
    const health = opts.health[d.id] ?? CLOSED;
    if (!inResidency(d, opts.residency)) {
      excluded.push({ id: d.id, reason: "residency" });
      continue;
    }
    if (health.state === "open") {
      excluded.push({ id: d.id, reason: "open" });
      continue;
    }
    const rank: [number, number] = [health.state === "half-open" ? 1 : 0, geoRank(d, opts.geo)];
    const key = rank.join(":");
    const band = bands.get(key) ?? { rank, entries: [] };
    band.entries.push({ d, index, health, draw: uniform(opts.seed, index) });
    bands.set(key, band);
  }
  const ordered = [...bands.values()]
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1])
    .flatMap((band) => byStrategy(band.entries, opts).map((e) => e.d));
  return { ordered, excluded };
}
