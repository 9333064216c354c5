/**
 * What the interleaved rounds (rounds.ts) measured, and the summary values taken from them (pure).
 */
import type { TargetId } from "./scenarios";
import { type DiffInterval, median } from "./stats";

/** The targets of the rounds, in the order of the first round. */
export const ROUND_TARGETS: readonly TargetId[] = [
  "floor",
  "io-floor",
  "stack-floor",
  "edgeway",
  "edgeway-proxy",
  "portkey",
  "baseline",
  "baseline-proxy",
];

/** One target's run in a round; `systemMsPerReq` is the kernel's part of `cpuMsPerReq`. */
export type RoundRun = { target: TargetId; rps: number; cpuMsPerReq?: number; systemMsPerReq?: number };

/**
 * c=1, alternating: each side's p50 over the same span of time (ms); `baseline` when BENCH_BASELINE
 * ran, and `vsBaseline`, Edgeway's p50 minus the baseline's with its 95% interval over the turns.
 */
export type PairedLatency = {
  pairs: number;
  direct: number;
  edgeway: number;
  baseline?: number;
  /** The stack floor (bench/stack-floor.ts): the added latency no gateway on the stack gets below. */
  stackFloor?: number;
  vsBaseline?: DiffInterval;
};

export type Rounds = {
  /** Runs per round; a run with more than 1% errors is left out (`dropped`). */
  runs: RoundRun[][];
  dropped: string[];
  /** Total time, non-streaming; time to the first byte, streaming. */
  c1?: { json?: PairedLatency; stream?: PairedLatency };
};

/** `peerWarmMs`: how long a peer (Node) is loaded, unmeasured, before the rounds; a Worker gets one `runMs` run. */
export type RoundsOptions = { rounds: number; runMs: number; pairs: number; pairsMaxMs: number; peerWarmMs: number };

const cpu = (run: RoundRun) => run.cpuMsPerReq;
const systemPct = (run: RoundRun) =>
  run.systemMsPerReq !== undefined && run.cpuMsPerReq ? (100 * run.systemMsPerReq) / run.cpuMsPerReq : undefined;
const runOf = (round: readonly RoundRun[], target: TargetId) => round.find((r) => r.target === target);

/** Median over rounds of one target's value (rounds where it did not run, or has no value, left out). */
export function medianValue(r: Rounds, target: TargetId, pick: (run: RoundRun) => number | undefined): number | undefined {
  return median(
    r.runs.flatMap((round) => {
      const run = runOf(round, target);
      const v = run && pick(run);
      return v === undefined ? [] : [v];
    }),
  );
}

/** Median over rounds of a/b (req/s, or another value), from rounds where both ran. */
function medianRatio(r: Rounds, a: TargetId, b: TargetId, pick: (run: RoundRun) => number | undefined = (x) => x.rps): number | undefined {
  return median(
    r.runs.flatMap((round) => {
      const x = runOf(round, a);
      const y = runOf(round, b);
      const [vx, vy] = [x && pick(x), y && pick(y)];
      return vx !== undefined && vy !== undefined && vy > 0 ? [vx / vy] : [];
    }),
  );
}

/**
 * The summary values the rounds measure better than single phases (pure). Values the rounds did
 * not measure are absent, so the single phases' values stand.
 */
export function roundValues(r: Rounds): Record<string, number> {
  const v: Record<string, number | undefined> = {
    rps: medianValue(r, "edgeway", (x) => x.rps),
    cpu_ms_per_req: medianValue(r, "edgeway", (x) => x.cpuMsPerReq),
    floor_cpu_ms_per_req: medianValue(r, "floor", (x) => x.cpuMsPerReq),
    io_floor_cpu_ms_per_req: medianValue(r, "io-floor", (x) => x.cpuMsPerReq),
    stack_floor_cpu_ms_per_req: medianValue(r, "stack-floor", (x) => x.cpuMsPerReq),
    proxy_cpu_ms_per_req: medianValue(r, "edgeway-proxy", (x) => x.cpuMsPerReq),
    rps_ratio_vs_floor: medianRatio(r, "edgeway", "floor"),
    rps_ratio_vs_portkey: medianRatio(r, "edgeway", "portkey"),
    proxy_rps_ratio_vs_portkey: medianRatio(r, "edgeway-proxy", "portkey"),
    // the ceiling of that ratio on this stack: what a gateway doing nothing but the stack's part of the hot path gets
    stack_floor_rps_ratio_vs_portkey: medianRatio(r, "stack-floor", "portkey"),
    portkey_cpu_ms_per_req: medianValue(r, "portkey", (x) => x.cpuMsPerReq),
    // CPU per request in floors: what the machine's speed does not move (the floor runs in the same runtime)
    cpu_ratio_vs_floor: medianRatio(r, "edgeway", "floor", cpu),
    portkey_cpu_ratio_vs_floor: medianRatio(r, "portkey", "floor", cpu),
    cpu_ratio_vs_stack_floor: medianRatio(r, "edgeway", "stack-floor", cpu),
    // the kernel's share of the CPU (syscalls: sockets, epoll), where instruction counts do not look
    system_cpu_pct: medianValue(r, "edgeway", systemPct),
    floor_system_cpu_pct: medianValue(r, "floor", systemPct),
    portkey_system_cpu_pct: medianValue(r, "portkey", systemPct),
    added_p50_ms: r.c1?.json ? r.c1.json.edgeway - r.c1.json.direct : undefined,
    ttfb_added_ms: r.c1?.stream ? r.c1.stream.edgeway - r.c1.stream.direct : undefined,
    stack_floor_added_p50_ms: r.c1?.json?.stackFloor === undefined ? undefined : r.c1.json.stackFloor - r.c1.json.direct,
    stack_floor_ttfb_added_ms: r.c1?.stream?.stackFloor === undefined ? undefined : r.c1.stream.stackFloor - r.c1.stream.direct,
    rounds: r.runs.length,
    // BENCH_BASELINE: this tree against another revision, same run (below 1: this tree is cheaper)
    cpu_ratio_vs_baseline: medianRatio(r, "edgeway", "baseline", cpu),
    proxy_cpu_ratio_vs_baseline: medianRatio(r, "edgeway-proxy", "baseline-proxy", cpu),
    baseline_added_p50_ms: r.c1?.json?.baseline === undefined ? undefined : r.c1.json.baseline - r.c1.json.direct,
    baseline_ttfb_added_ms: r.c1?.stream?.baseline === undefined ? undefined : r.c1.stream.baseline - r.c1.stream.direct,
    // the difference itself, and the 95% interval the turns allow: one that holds 0 shows no change
    p50_vs_baseline_ms: r.c1?.json?.vsBaseline?.diff,
    p50_vs_baseline_lo_ms: r.c1?.json?.vsBaseline?.lo,
    p50_vs_baseline_hi_ms: r.c1?.json?.vsBaseline?.hi,
    ttfb_vs_baseline_ms: r.c1?.stream?.vsBaseline?.diff,
    ttfb_vs_baseline_lo_ms: r.c1?.stream?.vsBaseline?.lo,
    ttfb_vs_baseline_hi_ms: r.c1?.stream?.vsBaseline?.hi,
  };
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => e[1] !== undefined && Number.isFinite(e[1])));
}
