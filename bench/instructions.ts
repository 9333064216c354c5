/**
 * `npm run bench:instructions`: instructions per request of the gateway, the floors and (with
 * BENCH_PEERS=portkey) Portkey, each in a process of its own under valgrind's callgrind, against
 * the same offline stack and mock upstream as `npm run bench`; with BENCH_BASELINE=<git rev> that
 * revision of the Worker too. Counts do not move with the CPU's clock or other tenants, but V8's
 * GC and JIT move the gateway's single runs by 5-12% (a tiny Worker's repeat to 0.1%), so each
 * scenario is counted in several runs and the median taken; an A/A check read 0.95 and 1.05, so
 * this is a second view next to the interleaved rounds, not a finer A/B tool. Under callgrind a
 * process runs about 100× slower, hence few requests. The last line printed is the summary.
 *
 *   INSTR_REQUESTS=200 INSTR_WARM=2000 INSTR_CONNECTIONS=1 INSTR_RUNS=5 [INSTR_FILTER=regex] [BENCH_BASELINE=HEAD] [BENCH_PEERS=portkey] npm run bench:instructions
 *
 * Instructions are not time: kernel work (syscalls, network) is not counted, nor how fast the CPU
 * gets through them (cache misses). Methodology and findings: bench/README.md.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { callgrindWrap, instructionCounter, valgrindAvailable } from "./callgrind";
import {
  type InstructionRow,
  type InstructionTarget,
  instructionSummary,
  instructionSummaryLine,
  irOf,
  spreadPct,
} from "./instruction-values";
import { materialize, nodeLoad, type RequestSpec, send } from "./load";
import { MODEL, resetCounters, settleCounters } from "./phase";
import { startPortkey } from "./portkey";
import { FULL_HEADERS, requestBody } from "./scenarios";
import { type Bench, startBench, type WorkerKind } from "./setup";

const requests = Number(process.env.INSTR_REQUESTS ?? 200);
const warm = Number(process.env.INSTR_WARM ?? 2000);
const connections = Number(process.env.INSTR_CONNECTIONS ?? 1);
const runs = Math.max(1, Number(process.env.INSTR_RUNS ?? 5));
/**
 * How much slower the measured processes' `Date.now()` and timers run (workerd.ts
 * `slowClockModules`). The clock: so much slower that the 1-5 s refreshes of config and key
 * records stay out of the measured runs (their cost is per second, not per request). The timers:
 * about valgrind's slowdown, so a 4 ms batching window gathers about as many requests as at full speed.
 */
const clockSlowdown = Number(process.env.INSTR_CLOCK_SLOWDOWN ?? 10_000);
const timerSlowdown = Number(process.env.INSTR_TIMER_SLOWDOWN ?? 100);
const baselineRev = process.env.BENCH_BASELINE || undefined;
const only = process.env.INSTR_FILTER ? new RegExp(process.env.INSTR_FILTER) : undefined;
const withPortkey = (process.env.BENCH_PEERS ?? "").split(",").some((p) => p.trim() === "portkey");
const t0 = Date.now();
const log = (msg: string) => console.log(`[instructions ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}`);

if (!valgrindAvailable()) {
  console.error("bench:instructions needs valgrind (with callgrind_control): apt-get install valgrind");
  process.exit(1);
}

type Scenario = { target: InstructionTarget; mode: "json" | "stream"; key?: "full" | "proxy" };
/** Per process: the scenarios it serves, measured in turn. */
const plan: Array<{ worker: WorkerKind | "portkey"; scenarios: Scenario[] }> = [
  { worker: "floor", scenarios: [{ target: "floor", mode: "json" }] },
  { worker: "io-floor", scenarios: [{ target: "io-floor", mode: "json" }] },
  { worker: "stack-floor", scenarios: [{ target: "stack-floor", mode: "json" }] },
  {
    worker: "gateway",
    scenarios: [
      { target: "edgeway", mode: "json", key: "full" },
      { target: "edgeway-proxy", mode: "json", key: "proxy" },
      { target: "edgeway", mode: "stream", key: "full" },
    ],
  },
  ...(baselineRev
    ? [
        {
          worker: "baseline" as const,
          scenarios: [
            { target: "baseline" as const, mode: "json" as const, key: "full" as const },
            { target: "baseline-proxy" as const, mode: "json" as const, key: "proxy" as const },
          ],
        },
      ]
    : []),
  ...(withPortkey ? [{ worker: "portkey" as const, scenarios: [{ target: "portkey" as const, mode: "json" as const }] }] : []),
];

function specOf(bench: Bench, url: string, s: Scenario, peerHeaders: Record<string, string> = {}): RequestSpec {
  const auth = s.key ? `Bearer ${bench.keys[s.key]}` : "Bearer mock-key";
  return {
    url,
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json", authorization: auth, ...(s.key === "full" ? FULL_HEADERS : {}), ...peerHeaders },
    body: requestBody({ mode: s.mode, cache: "miss" }, MODEL),
  };
}

/** Sends `n` requests with the bench's closed-loop client; a measured run fails on any error (a count of failures is no measurement). */
async function load(bench: Bench, spec: RequestSpec, n: number, measured = true): Promise<number> {
  const r = await nodeLoad(spec, { connections, durationMs: 30 * 60_000, maxRequests: n, dir: bench.dir, timeoutMs: 120_000 });
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  if (measured && errors > 0) throw new Error(`${errors} failed requests of ${r.sent}: ${JSON.stringify(r.errors)}`);
  return r.sent;
}

/** The first request of a process under valgrind compiles most of the Worker: one at a time, with time to spare. */
async function firstRequests(spec: RequestSpec, n = 3): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < n; i++) {
      const r = await send(spec, materialize(spec.body, `first${i}`), agent, 180_000);
      if (r.status !== 200) throw new Error(`first request: ${r.status} ${r.body.slice(0, 200)}`);
    }
  } finally {
    agent.destroy();
  }
}

/** Starts one measured process under callgrind: a workerd copy of the bench's, or Portkey in Node. */
async function startMeasured(bench: Bench, worker: WorkerKind | "portkey", outFile: string) {
  if (worker !== "portkey")
    return { ...(await bench.startCopy(worker, `${worker}-callgrind`, callgrindWrap(outFile), clockSlowdown, timerSlowdown)), headers: {} };
  return startPortkey(bench.dir, bench.stack.mock.url, bench.onClose, { wrap: callgrindWrap(outFile), startMs: 180_000 });
}

async function measure(bench: Bench, worker: WorkerKind | "portkey", scenarios: Scenario[]): Promise<InstructionRow[]> {
  const outFile = join(bench.dir, `${worker}.callgrind`);
  const started = Date.now();
  const w = await startMeasured(bench, worker, outFile);
  log(`${worker}: started under callgrind in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const counter = instructionCounter(w.pid, outFile);
  const rows: InstructionRow[] = [];
  try {
    for (const s of scenarios) {
      const spec = specOf(bench, w.url, s, w.headers);
      await counter.instrument(false);
      await firstRequests(spec);
      await load(bench, spec, warm, false);
      await settleCounters(bench, 1000);
      await counter.instrument(true);
      const row: InstructionRow = { target: s.target, mode: s.mode, requests: [], irPerReq: [], pgPerReq: 0, redisRtPerReq: 0 };
      let pg = 0;
      let redisRt = 0;
      for (let i = 0; i < runs; i++) {
        resetCounters(bench);
        await counter.zero();
        const sent = await load(bench, spec, requests);
        // the request's deferred work (metering, postflights) counts too: wait for the stores to go quiet
        const counters = await settleCounters(bench, 1000);
        const ir = await counter.read();
        row.requests.push(sent);
        row.irPerReq.push(ir / sent);
        pg += counters.pgStatements / sent;
        redisRt += counters.redisRt / sent;
      }
      row.pgPerReq = pg / runs;
      row.redisRtPerReq = redisRt / runs;
      log(
        `${s.target}/${s.mode}: ${row.irPerReq.map((v) => Math.round(v).toLocaleString("en-US")).join(", ")} instructions/req ` +
          `(spread ${spreadPct(row).toFixed(2)}%; per request ${row.redisRtPerReq.toFixed(3)} Redis round trips, ${row.pgPerReq.toFixed(3)} Postgres statements)`,
      );
      rows.push(row);
    }
  } finally {
    await w.stop();
  }
  return rows;
}

function report(rows: InstructionRow[], summary: Record<string, number>, meta: Record<string, unknown>): string {
  const floor = irOf(rows.find((r) => r.target === "floor"));
  const lines = [
    "# Edgeway instructions per request",
    "",
    `${meta.date} · ${meta.machine} · requests per run ${requests} (after ${warm} warm-up), ${connections} connections, ${runs} runs, clock slowed ${clockSlowdown}×, timers ${timerSlowdown}×${baselineRev ? ` · baseline ${meta.baseline}` : ""}`,
    "",
    "| target | mode | instructions/req (median) | runs | spread | × floor | Redis RT/req | Postgres/req |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const ir = irOf(r) ?? 0;
      return `| ${r.target} | ${r.mode} | ${Math.round(ir).toLocaleString("en-US")} | ${r.irPerReq.map((v) => Math.round(v).toLocaleString("en-US")).join(" / ")} | ${spreadPct(r).toFixed(2)}% | ${floor ? (ir / floor).toFixed(2) : ""} | ${r.redisRtPerReq.toFixed(3)} | ${r.pgPerReq.toFixed(3)} |`;
    }),
    "",
    instructionSummaryLine(summary),
    "",
  ];
  return lines.join("\n");
}

const bench = await startBench({ baseline: baselineRev, log });
const stop = () => {
  void bench.close().finally(() => process.exit(130));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
let failed = false;
try {
  const rows: InstructionRow[] = [];
  for (const p of plan) {
    const scenarios = p.scenarios.filter((s) => !only || only.test(`${s.target}/${s.mode}`));
    if (scenarios.length > 0) rows.push(...(await measure(bench, p.worker, scenarios)));
  }
  const summary = instructionSummary(rows);
  const meta = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? "cpu"} × ${availableParallelism()}`,
    ...(bench.baseline ? { baseline: bench.baseline.revision } : {}),
  };
  const dir = fileURLToPath(new URL("results", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamp = meta.date.replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const md = report(rows, summary, meta);
  writeFileSync(join(dir, `instructions-${stamp}.md`), md);
  writeFileSync(
    join(dir, `instructions-${stamp}.json`),
    JSON.stringify({ meta, requests, warm, connections, runs, clockSlowdown, timerSlowdown, rows, summary }, null, 2),
  );
  log(`report: bench/results/instructions-${stamp}.md`);
  if (process.env.INSTR_KEEP === "1") {
    // the dumps, for callgrind_annotate or KCachegrind (native code by function; JIT code by address)
    const keep = join(dir, `callgrind-${stamp}`);
    mkdirSync(keep, { recursive: true });
    for (const f of readdirSync(bench.dir).filter((n) => /\.callgrind\.\d+$/.test(n))) copyFileSync(join(bench.dir, f), join(keep, f));
    log(`callgrind dumps: bench/results/callgrind-${stamp}/`);
  }
  console.log(instructionSummaryLine(summary));
} catch (err) {
  failed = true;
  console.error("bench:instructions failed:", err);
} finally {
  await bench.close();
}
process.exit(failed ? 1 : 0);
