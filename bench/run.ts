/**
 * `npm run bench`: Edgeway in raw workerd against the offline stack and the mock upstream, next to
 * direct-to-upstream, a pass-through Worker (the floor) and, with BENCH_PEERS=portkey, Portkey.
 * BENCH_QUICK=1 runs a reduced matrix in under 3 minutes; BENCH_BASELINE=<git rev> adds that
 * revision of the Worker to the interleaved rounds (rounds.ts), to compare a change with it in one
 * run. Loopback only; everything it starts is stopped at the end, on error and on SIGINT/SIGTERM.
 * The last line printed is the summary.
 * Methodology: bench/README.md.
 */
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { running, wrkAvailable } from "./load";
import { pinning, pinSelf, untilQuiet } from "./metrics";
import { type Durations, type PhaseContext, type PhaseResult, runCensusPhases, runPhase, targetsOf } from "./phase";
import { startPortkey } from "./portkey";
import {
  collectMeta,
  DISTURBED_CORES,
  formatValue,
  headline,
  headlineLine,
  limitOf,
  startupValues,
  summaryLine,
  writeReport,
} from "./report";
import type { RoundsOptions } from "./round-values";
import { runRounds } from "./rounds";
import { HEADLINE_CONCURRENCY, matrix, phaseId, type TargetId } from "./scenarios";
import { startBench } from "./setup";

const quick = process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER) : undefined;
const peerIds = (process.env.BENCH_PEERS ?? "").split(",").filter((p) => p.trim() === "portkey") as TargetId[];
const t0 = Date.now();
const durations: Durations = quick
  ? { seqRequests: 300, seqMs: 1500, loadMs: 2000, c1LoadMs: 1500, warmMs: 1000, censusRequests: 40 }
  : { seqRequests: 2000, seqMs: 5000, loadMs: 8000, c1LoadMs: 4000, warmMs: 2000, censusRequests: 150 };
/** The interleaved rounds after the matrix (rounds.ts): where the summary's throughput, CPU and c=1 figures come from. */
const roundsOptions: RoundsOptions = {
  ...(quick
    ? { rounds: 3, runMs: 1200, pairs: 200, pairsMaxMs: 2500, peerWarmMs: 15_000 }
    : { rounds: 5, runMs: 4000, pairs: 1000, pairsMaxMs: 8000, peerWarmMs: 20_000 }),
  ...(Number(process.env.BENCH_ROUNDS) > 0 ? { rounds: Number(process.env.BENCH_ROUNDS) } : {}),
};
const log = (msg: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}`);

const pin = pinning(availableParallelism());
if (pin.load) pinSelf(pin.load);
const hasWrk = wrkAvailable();
const generator = hasWrk && process.env.BENCH_LOAD !== "node" ? "wrk" : "node";
log(
  generator === "wrk"
    ? "load generator: wrk (one thread)"
    : `load generator: ${hasWrk ? "BENCH_LOAD=node" : "wrk not found (apt-get install wrk)"}; using the Node fallback in bench/load.ts, which saturates earlier: treat high-concurrency req/s as a lower bound`,
);
log(`pinning: ${pin.description}`);
const waitQuietS = Number(process.env.BENCH_WAIT_QUIET ?? 0);
if (waitQuietS > 0) {
  log(`waiting up to ${waitQuietS} s for the rest of the machine to use less than ${DISTURBED_CORES} of a core`);
  if (!(await untilQuiet(waitQuietS * 1000, DISTURBED_CORES))) log("still busy: starting anyway");
}
// Phases start only before this, rounds only before the second; the rest of the budget is for the
// report and the cleanup.
const deadline = Date.now() + (quick ? 125_000 : 25 * 60_000);
const roundsDeadline = Date.now() + (quick ? 165_000 : 28 * 60_000);
const load0 = loadavg()[0] as number;
if (load0 > 0.5)
  log(`warning: the machine is busy before the start (load average ${load0.toFixed(2)}): expect noisy numbers, see the "other CPU" column`);

const starting = startBench({ gatewayCpus: pin.gateway, baseline: process.env.BENCH_BASELINE, log });
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: stopping everything the bench started`);
  for (const child of running) child.kill("SIGKILL");
  starting
    .then((b) => b.close())
    .catch(() => {}) // a start that failed has stopped what it started
    .finally(() => process.exit(130));
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
const bench = await starting;

let exitCode = 0;
try {
  const targets = targetsOf(bench);
  const peers: string[] = [];
  if (peerIds.includes("portkey")) {
    log("portkey: installing @portkey-ai/gateway into the bench's temporary folder");
    try {
      const pk = await startPortkey(bench.dir, bench.stack.mock.url, bench.onClose, { cpus: pin.gateway });
      targets.portkey = { id: "portkey", url: pk.url, pid: pk.pid, headers: pk.headers };
      peers.push(`portkey ${pk.version} (Node ${process.version}, @hono/node-server 1.13.5)`);
    } catch (err) {
      peers.push(`portkey: unavailable (${err instanceof Error ? err.message : String(err)})`);
    }
    log(peers[0] as string);
  }
  if (bench.baseline) peers.push(`baseline: this Worker at ${bench.baseline.revision} (BENCH_BASELINE), in the interleaved rounds`);

  const ctx: PhaseContext = {
    bench,
    targets,
    generator,
    loadCpus: pin.load,
    durations,
    deadline,
    warmed: new Set(),
    cacheProbes: new Map(),
    log,
  };
  const startups = only && !only.test("startup") ? undefined : await bench.startups(quick ? 3 : 5);
  if (startups) {
    const v = startupValues(startups);
    log(
      `start-up: gateway ${formatValue("startup_ms", v.startup_ms)} ms to listening, ${formatValue("startup_cpu_ms", v.startup_cpu_ms)} ms CPU above the floor's ${formatValue("floor_startup_cpu_ms", v.floor_startup_cpu_ms)} (medians of ${startups.gateway.length})`,
    );
  }
  const census = only && !only.test("census") ? [] : await runCensusPhases(ctx);
  const phases: PhaseResult[] = [];
  for (const phase of matrix({ quick, peers: peerIds }).filter((p) => !only || only.test(phaseId(p)))) {
    if (stopping) break;
    phases.push(await runPhase(ctx, phase));
  }
  const rounds =
    !stopping && (!only || only.test("rounds")) ? await runRounds({ ...ctx, deadline: roundsDeadline }, roundsOptions) : undefined;
  if (stopping) await new Promise(() => {}); // the signal handler cleans up and exits; no partial report

  const meta = collectMeta({
    quick,
    generator,
    pinning: pin.description,
    postgres: bench.postgresKind,
    bundle: bench.bundle,
    peers,
    t0,
    load0,
  });
  const summary = headline(phases, census, bench.bundle.gzipBytes, rounds, startups);
  const path = writeReport(
    fileURLToPath(new URL("results", import.meta.url)),
    { meta, summary, phases, census, ...(rounds ? { rounds } : {}) },
    only !== undefined,
  );
  await bench.close();
  log(`report: ${path}${only ? " (partial run: latest.* left alone)" : " (and bench/results/latest.{md,json})"}`);
  const head = phases.find((p) => p.status === "ok" && phaseId(p.phase) === `edgeway/json/d0/c${HEADLINE_CONCURRENCY}`);
  console.log(headlineLine(summary, head && limitOf(head)));
  console.log(summaryLine(summary));
} catch (err) {
  exitCode = 1;
  console.error("bench failed:", err);
  await bench.close();
}
if (!stopping) process.exit(exitCode);
