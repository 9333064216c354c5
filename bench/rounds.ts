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
import { loadRun, type PhaseContext, setDelay, specFor, type Target, warmOnce } from "./phase";
import { type PairedLatency, ROUND_TARGETS, type RoundRun, type Rounds, type RoundsOptions } from "./round-values";
import { HEADLINE_CONCURRENCY, looksComplete, type Mode, type TargetId } from "./scenarios";
import { describeDiff, pairedP50Diff, percentile } from "./stats";

/**
 * Alternates one request to each side in turn (`specs`: direct, Edgeway, and the baseline and the
 * stack floor when they run), each on its own keep-alive connection, up to `pairs` turns or
 * `maxMs`; the p50 of each side's total time (or time to first byte). A turn where any side failed is left out. Each turn
 * sends direct first, then the gateways forward on even turns and backward on odd ones, so each
 * gateway follows direct (its core idle since its last answer) and follows the other gateway (whose
 * deferred work shares its core) equally often: rotating all three let the baseline follow Edgeway
 * twice as often as the reverse, and an A/A run read Edgeway 0.03-0.05 ms slower.
 */
export async function pairedLatency(
  specs: { direct: RequestSpec; edgeway: RequestSpec; baseline?: RequestSpec | undefined; stackFloor?: RequestSpec | undefined },
  mode: Mode,
  o: { pairs: number; maxMs: number },
): Promise<PairedLatency | undefined> {
  const names = (["direct", "edgeway", "baseline", "stackFloor"] as const).filter((n) => specs[n]);
  const sides = names.map((n) => specs[n] as RequestSpec);
  const agents = sides.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const nonce = Math.random().toString(36).slice(2, 10);
  const times: number[][] = sides.map(() => []);
  const forward = sides.map((_, side) => side); // direct (0), then the gateways
  const backward = [0, ...forward.slice(1).reverse()];
  const t0 = performance.now();
  try {
    for (let i = 0; i < o.pairs && performance.now() - t0 < o.maxMs; i++) {
      const turn: number[] = [];
      for (const side of i % 2 === 0 ? forward : backward) {
        const spec = sides[side] as RequestSpec;
        const r = await send(spec, materialize(spec.body, nonce), agents[side] as Agent).catch(() => undefined);
        if (r?.status === 200 && looksComplete(mode, r.body)) turn[side] = mode === "stream" ? r.firstByteMs : r.totalMs;
      }
      if (sides.every((_, side) => turn[side] !== undefined)) for (const [side, ms] of turn.entries()) times[side]?.push(ms);
    }
  } finally {
    for (const a of agents) a.destroy();
  }
  const p50 = (side: number) =>
    percentile(
      [...(times[side] as number[])].sort((x, y) => x - y),
      50,
    );
  if (times[0]?.length === 0) return undefined;
  const [baseline, stackFloor] = [names.indexOf("baseline"), names.indexOf("stackFloor")];
  const vsBaseline = baseline > 0 ? pairedP50Diff(times[1] as number[], times[baseline] as number[]) : undefined;
  return {
    pairs: times[0]?.length ?? 0,
    direct: p50(0),
    edgeway: p50(1),
    ...(baseline > 0 ? { baseline: p50(baseline) } : {}),
    ...(stackFloor > 0 ? { stackFloor: p50(stackFloor) } : {}),
    ...(vsBaseline ? { vsBaseline } : {}),
  };
}

/**
 * The c=1 turns, non-streaming then streaming: the upstream directly, the full hot path, and the
 * baseline and the stack floor when they run.
 */
async function alternatingC1(ctx: PhaseContext, o: RoundsOptions): Promise<Rounds["c1"]> {
  const direct = ctx.targets.direct;
  const edgeway = ctx.targets.edgeway;
  if (!direct || !edgeway) return undefined;
  const c1: NonNullable<Rounds["c1"]> = {};
  for (const mode of ["json", "stream"] as const) {
    for (const t of ["direct", "edgeway", "baseline", "stack-floor"] as const) await warmOnce(ctx, t, mode);
    const spec = (t: Target) => specFor(t, { mode, cache: "miss" });
    const { baseline, "stack-floor": stackFloor } = ctx.targets;
    const sides = {
      direct: spec(direct),
      edgeway: spec(edgeway),
      baseline: baseline && spec(baseline),
      stackFloor: stackFloor && spec(stackFloor),
    };
    const paired = await pairedLatency(sides, mode, {
      pairs: o.pairs,
      maxMs: o.pairsMaxMs,
    });
    if (paired) c1[mode] = paired;
    ctx.log(
      paired
        ? `c=1 alternating, ${mode}: ${paired.pairs} turns, ${mode === "stream" ? "TTFB" : "p50"} direct ${paired.direct.toFixed(2)} ms, edgeway ${paired.edgeway.toFixed(2)} ms${paired.baseline === undefined ? "" : `, baseline ${paired.baseline.toFixed(2)} ms`}${paired.stackFloor === undefined ? "" : `, stack floor ${paired.stackFloor.toFixed(2)} ms`}${paired.vsBaseline ? `, edgeway − baseline ${describeDiff(paired.vsBaseline)}` : ""}`
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
  // One unmeasured run each at the rounds' load first; longer for the peer: Node's JIT settles much
  // later than workerd's (Portkey: 7.3 million instructions per request after 300 requests, 3.9
  // after 2,000), and a quick run on a slow machine may have skipped its matrix phases
  for (const t of targets) {
    await warmOnce(ctx, t, "json");
    const target = ctx.targets[t];
    if (target && Date.now() < ctx.deadline)
      await loadRun(ctx, specFor(target, { mode: "json", cache: "miss" }), HEADLINE_CONCURRENCY, t === "portkey" ? o.peerWarmMs : o.runMs);
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
      round.push({
        target: id,
        rps: run.rps,
        ...(used ? { cpuMsPerReq: used.cpuMs / Math.max(1, run.sent), systemMsPerReq: used.systemMs / Math.max(1, run.sent) } : {}),
      });
    }
    result.runs.push(round);
    ctx.log(
      `round ${i + 1}/${o.rounds}: ${round.map((r) => `${r.target} ${r.rps.toFixed(0)} req/s${r.cpuMsPerReq === undefined ? "" : ` ${r.cpuMsPerReq.toFixed(3)} ms`}`).join(", ")}`,
    );
  }
  return result;
}
