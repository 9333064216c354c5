/**
 * Interleaved rounds: the headline comparisons measured side by side in time. This machine's speed
 * drifts by ±25% over tens of seconds (other work, the host), so two phases a minute apart are not
 * a fair pair. Each round gives every headline target one short load run (non-streaming, no upstream
 * delay, the headline concurrency), starting one place further along the list each round; the
 * summary takes, over the rounds, the median of each value and the median of each per-round ratio.
 * Concurrency 1 is measured the same way: one sequential client alternates a request straight to
 * the upstream with one through the gateway, so both medians come from the same moments.
 */
import { Agent } from "node:http";
import { materialize, type RequestSpec, send } from "./load";
import { cpuMeter } from "./metrics";
import { loadRun, type PhaseContext, setDelay, specFor, warmOnce } from "./phase";
import { type PairedLatency, ROUND_TARGETS, type RoundRun, type Rounds, type RoundsOptions } from "./round-values";
import { HEADLINE_CONCURRENCY, looksComplete, type Mode, type TargetId } from "./scenarios";
import { percentile } from "./stats";

/**
 * Alternates one request to `direct` and one to `edgeway`, each on its own keep-alive connection,
 * up to `pairs` pairs or `maxMs`; the p50 of each side's total time (or time to first byte). Pairs
 * where either side failed are left out.
 */
export async function pairedLatency(
  direct: RequestSpec,
  edgeway: RequestSpec,
  mode: Mode,
  o: { pairs: number; maxMs: number },
): Promise<PairedLatency | undefined> {
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })] as const;
  const nonce = Math.random().toString(36).slice(2, 10);
  const sides: [number[], number[]] = [[], []];
  const t0 = performance.now();
  try {
    for (let i = 0; i < o.pairs && performance.now() - t0 < o.maxMs; i++) {
      const pair: number[] = [];
      // alternate which side goes first, so neither always follows the other's deferred work
      for (const side of i % 2 ? [1, 0] : [0, 1]) {
        const spec = side === 0 ? direct : edgeway;
        const r = await send(spec, materialize(spec.body, nonce), agents[side as 0 | 1]).catch(() => undefined);
        if (r?.status === 200 && looksComplete(mode, r.body)) pair[side] = mode === "stream" ? r.firstByteMs : r.totalMs;
      }
      if (pair[0] !== undefined && pair[1] !== undefined) {
        sides[0].push(pair[0]);
        sides[1].push(pair[1]);
      }
    }
  } finally {
    for (const a of agents) a.destroy();
  }
  if (sides[0].length === 0) return undefined;
  const p50 = (v: number[]) =>
    percentile(
      [...v].sort((a, b) => a - b),
      50,
    );
  return { pairs: sides[0].length, direct: p50(sides[0]), edgeway: p50(sides[1]) };
}

/** The c=1 pairs, non-streaming then streaming, against the upstream directly and the full hot path. */
async function alternatingC1(ctx: PhaseContext, o: RoundsOptions): Promise<Rounds["c1"]> {
  const direct = ctx.targets.direct;
  const edgeway = ctx.targets.edgeway;
  if (!direct || !edgeway) return undefined;
  const c1: NonNullable<Rounds["c1"]> = {};
  for (const mode of ["json", "stream"] as const) {
    for (const t of ["direct", "edgeway"] as const) await warmOnce(ctx, t, mode);
    const cache = "miss" as const;
    const paired = await pairedLatency(specFor(direct, { mode, cache }), specFor(edgeway, { mode, cache }), mode, {
      pairs: o.pairs,
      maxMs: o.pairsMaxMs,
    });
    if (paired) c1[mode] = paired;
    ctx.log(
      paired
        ? `c=1 alternating, ${mode}: ${paired.pairs} pairs, ${mode === "stream" ? "TTFB" : "p50"} direct ${paired.direct.toFixed(2)} ms, edgeway ${paired.edgeway.toFixed(2)} ms`
        : `c=1 alternating, ${mode}: no pair completed`,
    );
  }
  return c1;
}

/**
 * Runs the c=1 pairs, then the rounds over the targets that are running; logs each. Starts nothing
 * past the context's deadline.
 */
export async function runRounds(ctx: PhaseContext, o: RoundsOptions): Promise<Rounds> {
  const targets = ROUND_TARGETS.filter((t) => ctx.targets[t]);
  const result: Rounds = { runs: [], dropped: [] };
  setDelay(ctx, 0);
  // Node's JIT takes longer to settle than workerd's: one unmeasured run each at the rounds' load first
  for (const t of targets) {
    await warmOnce(ctx, t, "json");
    const target = ctx.targets[t];
    if (target && Date.now() < ctx.deadline) await loadRun(ctx, specFor(target, { mode: "json", cache: "miss" }), HEADLINE_CONCURRENCY, o.runMs);
  }
  if (Date.now() < ctx.deadline) {
    const c1 = await alternatingC1(ctx, o);
    if (c1) result.c1 = c1;
  }
  for (let i = 0; i < o.rounds && Date.now() < ctx.deadline; i++) {
    const round: RoundRun[] = [];
    for (let k = 0; k < targets.length; k++) {
      const id = targets[(i + k) % targets.length] as TargetId;
      const target = ctx.targets[id];
      if (!target) continue;
      const cpu = target.pid ? cpuMeter(target.pid) : undefined;
      const run = await loadRun(ctx, specFor(target, { mode: "json", cache: "miss" }), HEADLINE_CONCURRENCY, o.runMs);
      const used = cpu?.stop();
      const errors = Object.values(run.errors).reduce((s, v) => s + v, 0);
      if (errors > run.requests * 0.01) {
        result.dropped.push(`round ${i + 1} ${id}: ${errors} errors in ${run.requests} requests`);
        continue;
      }
      round.push({ target: id, rps: run.rps, ...(used ? { cpuMsPerReq: used.cpuMs / Math.max(1, run.sent) } : {}) });
    }
    result.runs.push(round);
    ctx.log(
      `round ${i + 1}/${o.rounds}: ${round.map((r) => `${r.target} ${r.rps.toFixed(0)} req/s${r.cpuMsPerReq === undefined ? "" : ` ${r.cpuMsPerReq.toFixed(3)} ms`}`).join(", ")}`,
    );
  }
  return result;
}
