/**
 * One measured phase: a scenario against one target. Probe (and, for the cache scenarios, check a
 * hit is observable), warm up once per target and mode, then measure with the stand-ins' counters
 * reset and the target's CPU and peak memory read from /proc around the load.
 */
import { statSync } from "node:fs";
import { Agent } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type CallLog, type CensusResult, runCensus, startDelayProxy } from "./census";
import {
  type LoadResult,
  materialize,
  nodeLoad,
  type Reply,
  type RequestSpec,
  runWrk,
  type SequentialResult,
  send,
  sequential,
} from "./load";
import { cpuMeter, machineMeter, memory, resetPeak } from "./metrics";
import {
  type CacheCase,
  cacheStatus,
  FULL_HEADERS,
  isCacheHit,
  looksComplete,
  type Mode,
  type Phase,
  phaseId,
  requestBody,
  type TargetId,
} from "./scenarios";
import type { Bench } from "./setup";
import type { LatencySummary } from "./stats";
import { type LogScan, scanLog, tail } from "./workerd";

export type Target = {
  id: TargetId;
  url: string;
  headers: Record<string, string>;
  pid?: number;
  logFile?: string;
  /** Bytes of JS heap in use after a full GC (the gateway, through its inspector): the leak check. */
  heap?: () => Promise<number>;
};

export type Durations = { seqRequests: number; seqMs: number; loadMs: number; c1LoadMs: number; warmMs: number; censusRequests: number };

export type PhaseContext = {
  bench: Bench;
  targets: Partial<Record<TargetId, Target>>;
  generator: "wrk" | "node";
  loadCpus?: string | undefined;
  durations: Durations;
  /** Phases starting after this (epoch ms) are skipped. */
  deadline: number;
  warmed: Set<string>;
  /** Cache cases already probed: a case with no observable hit is not probed again. */
  cacheProbes: Map<CacheCase, { hit: boolean; header: string }>;
  log: (msg: string) => void;
};

export type Counters = { redisRt: number; redisCommands: number; pgStatements: number; vectorQueries: number; upstreamCalls: number };

export type PhaseResult = {
  id: string;
  phase: Phase;
  status: "ok" | "n/a" | "error" | "skipped";
  note?: string;
  tool?: string;
  requests?: number;
  errors?: number;
  rps?: number;
  /** c=1: the sequential client's; otherwise the load generator's (coordinated-omission corrected). */
  latency?: LatencySummary;
  /** c=1 only: wrk's own percentiles (corrected), for comparison with the sequential client's. */
  latencyWrk?: LatencySummary;
  /** c=1 only: time to the first body byte (sequential client). */
  ttfb?: LatencySummary;
  cpuMsPerReq?: number;
  /** Share of one core the target used during the phase. */
  busyPct?: number;
  peakMemMb?: number;
  /** Growth of the JS heap (after a full GC) over the phase, KB per 1,000 requests: a leak shows here. */
  heapGrowthKbPer1k?: number;
  /** CPU used by everything else on the machine during the phase, in cores (see metrics.ts). */
  otherCores?: number;
  /** Error and warning lines the target logged during the phase. */
  log?: LogScan;
  /** CPU used by the bench's process (stand-ins, mock, client) and wrk, in cores: near 1 = the load side saturated. */
  benchCores?: number;
  perRequest?: Counters;
  /** The Redis server's CPU time, and its scripts' time, per request over the phase (request path, not the flush), µs. */
  redisUsPerReq?: { cpu: number; scripts: number };
  /** Capacity planning: Redis commands (request path + flush) and Postgres rows written, per 1,000 requests. */
  perThousand?: { redisCommands: number; pgRows: number; flushRedisCommands: number; flushPgStatements: number };
  /** c=1: share of the sequential client's responses that were hits of the phase's kind, and every `x-edgeway-cache` value seen. */
  cacheHitRatio?: number;
  cacheStatuses?: Record<string, number>;
};

/** Direct, the floors and the Edgeway configurations (and the baseline's) of a started bench (the peer is added when it starts). */
export function targetsOf(bench: Bench): PhaseContext["targets"] {
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const gw = { url: bench.gateway.url, pid: bench.gateway.pid, logFile: bench.gateway.logFile, heap: bench.gatewayHeap };
  const b = bench.baseline?.workerd;
  const base = b && { url: b.url, pid: b.pid, logFile: b.logFile };
  return {
    direct: { id: "direct", url: bench.stack.mock.url, headers: auth("mock-key") },
    floor: { id: "floor", url: bench.floor.url, pid: bench.floor.pid, logFile: bench.floor.logFile, headers: auth("mock-key") },
    "io-floor": {
      id: "io-floor",
      url: bench.ioFloor.url,
      pid: bench.ioFloor.pid,
      logFile: bench.ioFloor.logFile,
      headers: auth("mock-key"),
    },
    "stack-floor": {
      id: "stack-floor",
      url: bench.stackFloor.url,
      pid: bench.stackFloor.pid,
      logFile: bench.stackFloor.logFile,
      headers: auth("mock-key"),
    },
    edgeway: { id: "edgeway", ...gw, headers: { ...auth(bench.keys.full), ...FULL_HEADERS } },
    "edgeway-proxy": { id: "edgeway-proxy", ...gw, headers: auth(bench.keys.proxy) },
    "edgeway-semantic": { id: "edgeway-semantic", ...gw, headers: { ...auth(bench.keys.semantic), ...FULL_HEADERS } },
    ...(base
      ? {
          baseline: { id: "baseline", ...base, headers: { ...auth(bench.keys.full), ...FULL_HEADERS } },
          "baseline-proxy": { id: "baseline-proxy", ...base, headers: auth(bench.keys.proxy) },
        }
      : {}),
  };
}

export const MODEL = "mock-small";
const PATH = "/v1/chat/completions";

/** The request of a scenario against a target. */
export const specFor = (t: Target, p: Pick<Phase, "mode" | "cache">): RequestSpec => ({
  url: t.url,
  path: PATH,
  headers: { "content-type": "application/json", ...t.headers },
  body: requestBody(p, MODEL),
});

function snapshot(b: Bench): Counters {
  const r = b.stack.redisRest.stats();
  const n = b.stack.neon.stats();
  const v = b.stack.vector.stats();
  const m = b.stack.mock.stats();
  return {
    redisRt: r.requests ?? 0,
    redisCommands: r.commands ?? 0,
    pgStatements: n.statements ?? 0,
    vectorQueries: v.queries ?? 0,
    upstreamCalls: m.requests ?? 0,
  };
}

export function resetCounters(b: Bench): void {
  for (const s of [b.stack.redisRest, b.stack.neon, b.stack.vector, b.stack.mock]) s.resetStats();
}

/** Waits until the stand-ins' counters stop moving (waitUntil work finishing) for `quietMs`, at most 5 s. */
export async function settleCounters(b: Bench, quietMs = 300): Promise<Counters> {
  let last = JSON.stringify(snapshot(b));
  let stable = performance.now();
  const until = performance.now() + 5000;
  while (performance.now() < until) {
    await sleep(50);
    const now = JSON.stringify(snapshot(b));
    if (now !== last) {
      last = now;
      stable = performance.now();
    } else if (performance.now() - stable >= quietMs) break;
  }
  return snapshot(b);
}

const fileSize = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** What the target logged since `from` (bytes into its log; at most the last 16 MiB). */
function logSince(target: Target, from: number): LogScan | undefined {
  if (!target.logFile) return undefined;
  const grown = fileSize(target.logFile) - from;
  return scanLog(grown > 0 ? tail(target.logFile, Math.min(grown, 16 * 1024 * 1024)) : "");
}

async function once(spec: RequestSpec, agent: Agent): Promise<Reply> {
  return send(spec, materialize(spec.body, "probe"), agent, 10_000);
}

/** Whether a hit is observable for this cache case: a first request, a pause for the cache write, a second. */
async function detectHit(spec: RequestSpec, cache: CacheCase): Promise<{ hit: boolean; header: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let header = "absent";
  try {
    await once(spec, agent);
    for (const pause of [300, 700, 1500]) {
      await sleep(pause);
      const r = await once(spec, agent);
      header = cacheStatus(r.headers);
      if (r.status === 200 && isCacheHit(r.headers, cache)) return { hit: true, header };
    }
    return { hit: false, header: `${header} (${cache})` };
  } finally {
    agent.destroy();
  }
}

/** One load run with the context's generator (wrk, or the Node fallback). */
export function loadRun(ctx: PhaseContext, spec: RequestSpec, connections: number, durationMs: number): Promise<LoadResult> {
  const opts = { connections, durationMs, cpus: ctx.loadCpus, dir: ctx.bench.dir };
  return ctx.generator === "wrk" ? runWrk(spec, opts) : nodeLoad(spec, opts);
}

/** Sets the mock upstream's delay for what follows (0: none). */
export function setDelay(ctx: PhaseContext, delayMs: number): void {
  ctx.bench.stack.mock.control.reset();
  if (delayMs > 0) ctx.bench.stack.mock.control.set({ latencyMs: delayMs });
}

/** Warms a target up once per mode and cache case: caches, connections, the JIT. */
export async function warmOnce(ctx: PhaseContext, id: TargetId, mode: Mode, cache: CacheCase = "miss"): Promise<void> {
  const target = ctx.targets[id];
  const key = `${id}/${mode}/${cache}`;
  if (!target || ctx.warmed.has(key)) return;
  await loadRun(ctx, specFor(target, { mode, cache }), 8, ctx.durations.warmMs);
  ctx.warmed.add(key);
}

/**
 * Runs the usage flush until the stream is drained (one cron run moves at most 20 batches of 500
 * events; the next takes the rest), bounded; returns the rows in the database after it.
 */
async function drainUsage(bench: Bench): Promise<number> {
  let rows = await bench.countRows();
  for (let i = 0; i < 20; i++) {
    await bench.flush();
    const now = await bench.countRows();
    if (now === rows) break;
    rows = now;
  }
  return rows;
}

/** Runs one phase and never throws: failures become `status: "error"` with the reason. */
export async function runPhase(ctx: PhaseContext, phase: Phase): Promise<PhaseResult> {
  const id = phaseId(phase);
  const base = { id, phase };
  const target = ctx.targets[phase.target];
  if (!target) return { ...base, status: "n/a", note: `${phase.target} not running` };

  const result: PhaseResult =
    Date.now() > ctx.deadline
      ? { ...base, status: "skipped", note: "time budget spent" }
      : await measure(ctx, phase, target).catch((err) => ({
          ...base,
          status: "error" as const,
          note: String(err instanceof Error ? err.message : err).slice(0, 300),
        }));
  ctx.log(
    `${id.padEnd(34)} ${result.status.padEnd(7)} ${(result.rps ?? 0).toFixed(0).padStart(6)} req/s  p50 ${(result.latency?.p50 ?? Number.NaN).toFixed(2)} ms` +
      (result.cpuMsPerReq !== undefined ? `  cpu ${result.cpuMsPerReq.toFixed(3)} ms/req` : "") +
      (result.note ? `  (${result.note})` : ""),
  );
  return result;
}

async function measure(ctx: PhaseContext, phase: Phase, target: Target): Promise<PhaseResult> {
  const { bench, durations: d } = ctx;
  const base = { id: phaseId(phase), phase };
  const spec = specFor(target, phase);
  setDelay(ctx, phase.delayMs);

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const probe = await once(spec, agent).finally(() => agent.destroy());
  if (probe.status !== 200 || !looksComplete(phase.mode, probe.body))
    return { ...base, status: "error", note: `probe: ${probe.status} ${probe.body.slice(0, 200)}` };
  if (phase.cache !== "miss") {
    const hit = ctx.cacheProbes.get(phase.cache) ?? (await detectHit(spec, phase.cache));
    ctx.cacheProbes.set(phase.cache, hit);
    if (!hit.hit) return { ...base, status: "n/a", note: `no cache hit observed (x-edgeway-cache: ${hit.header})` };
  }

  await warmOnce(ctx, phase.target, phase.mode, phase.cache);

  const edgeway = phase.target.startsWith("edgeway");
  const heap0 = await target.heap?.().catch(() => undefined);
  // the warm-up's and earlier phases' usage events are written before, so the phase counts its own
  const rows0 = edgeway ? await drainUsage(bench) : 0;
  const logSize = target.logFile ? fileSize(target.logFile) : 0;
  resetCounters(bench);
  if (target.pid) resetPeak(target.pid);
  const redis0 = await bench.redisTimes().catch(() => undefined);
  const cpu = target.pid ? cpuMeter(target.pid) : undefined;
  const machine = machineMeter(target.pid);

  let seq: SequentialResult | undefined;
  const statuses = new Map<string, number>();
  let loadRes: LoadResult;
  if (phase.concurrency === 1) {
    seq = await sequential(spec, {
      maxRequests: d.seqRequests,
      maxMs: d.seqMs,
      ok: (r) => {
        statuses.set(cacheStatus(r.headers), (statuses.get(cacheStatus(r.headers)) ?? 0) + 1);
        return looksComplete(phase.mode, r.body);
      },
    });
    loadRes = await loadRun(ctx, spec, 1, d.c1LoadMs);
  } else {
    loadRes = await loadRun(ctx, spec, phase.concurrency, d.loadMs);
  }
  const counters = await settleCounters(bench);
  const used = cpu?.stop();
  const redis1 = redis0 && (await bench.redisTimes().catch(() => undefined));
  const { benchCores, otherCores } = machine.stop();
  const mem = target.pid ? memory(target.pid) : undefined;
  const heap1 = heap0 === undefined ? undefined : await target.heap?.().catch(() => undefined);

  const requests = loadRes.requests + (seq ? seq.n + seq.errors : 0);
  // what the target saw, for per-request counters: wrk's in-flight requests at the end count too
  const sent = loadRes.sent + (seq ? seq.n + seq.errors : 0);
  const loadErrors = Object.values(loadRes.errors).reduce((s, v) => s + v, 0);
  const errors = loadErrors + (seq?.errors ?? 0);
  const breakdown = Object.entries(loadRes.errors)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k === "status" ? "non-2xx/3xx responses" : `${k} errors`}: ${v}`)
    .join(", ");
  const per = (v: number) => v / Math.max(1, sent);
  const log = logSince(target, logSize);
  const logged = log?.top.find((t) => t.level === "error");
  const result: PhaseResult = {
    ...base,
    status: errors > requests * 0.01 ? "error" : "ok",
    ...(errors > requests * 0.01
      ? {
          note: `${errors} errors in ${requests} requests (${[breakdown, seq?.firstError, logged && `logged: ${logged.message}`].filter(Boolean).join("; ")})`,
        }
      : {}),
    tool: seq ? `sequential + ${loadRes.tool} -c1` : `${loadRes.tool} -c${phase.concurrency}`,
    requests,
    errors,
    rps: seq ? seq.rps : loadRes.rps,
    latency: seq ? seq.latency : loadRes.latency,
    ...(seq ? { latencyWrk: loadRes.latency, ttfb: seq.ttfb } : {}),
    ...(used ? { cpuMsPerReq: used.cpuMs / Math.max(1, sent), busyPct: (100 * used.cpuMs) / used.wallMs } : {}),
    ...(mem ? { peakMemMb: mem.peakKb / 1024 } : {}),
    ...(redis0 && redis1
      ? { redisUsPerReq: { cpu: per(redis1.cpuUs - redis0.cpuUs), scripts: per(redis1.scriptUs - redis0.scriptUs) } }
      : {}),
    ...(heap0 !== undefined && heap1 !== undefined ? { heapGrowthKbPer1k: (heap1 - heap0) / 1024 / (Math.max(1, sent) / 1000) } : {}),
    otherCores,
    benchCores,
    ...(log ? { log } : {}),
    perRequest: {
      redisRt: per(counters.redisRt),
      redisCommands: per(counters.redisCommands),
      pgStatements: per(counters.pgStatements),
      vectorQueries: per(counters.vectorQueries),
      upstreamCalls: per(counters.upstreamCalls),
    },
    ...(seq && phase.cache !== "miss"
      ? {
          cacheHitRatio:
            [...statuses].filter(([k]) => isCacheHit({ "x-edgeway-cache": k }, phase.cache)).reduce((n, [, v]) => n + v, 0) /
            Math.max(1, seq.n),
          cacheStatuses: Object.fromEntries(statuses),
        }
      : {}),
  };
  if (edgeway) {
    resetCounters(bench);
    const rows1 = await drainUsage(bench);
    const flushed = snapshot(bench);
    const rows = rows1 - rows0;
    result.perThousand = {
      redisCommands: (1000 * (counters.redisCommands + flushed.redisCommands)) / Math.max(1, sent),
      pgRows: (1000 * rows) / Math.max(1, sent),
      flushRedisCommands: (1000 * flushed.redisCommands) / Math.max(1, sent),
      flushPgStatements: (1000 * flushed.pgStatements) / Math.max(1, sent),
    };
  }
  return result;
}

export type CensusRow = { tenant: "full" | "proxy" | "semantic"; mode: Mode; result?: CensusResult; note?: string };

/**
 * The round-trip census (census.ts) for both tenants and both modes, through a gateway process of
 * its own whose store URLs point at delaying proxies. Stops the process and the proxies after.
 */
export async function runCensusPhases(ctx: PhaseContext, delayMs = 15): Promise<CensusRow[]> {
  const { bench } = ctx;
  const log: CallLog = { calls: [], inFlight: 0 };
  const stops: Array<() => Promise<void>> = [];
  const rows: CensusRow[] = [];
  try {
    const redis = await startDelayProxy("redis", bench.stack.redisRest.url, delayMs, log);
    stops.push(redis.close);
    const neon = await startDelayProxy("postgres", bench.stack.neon.url, delayMs, log);
    stops.push(neon.close);
    const vector = await startDelayProxy("vector", bench.stack.vector.url, delayMs, log);
    stops.push(vector.close);
    const gw = await bench.startGateway("census", {
      UPSTASH_REDIS_REST_URL: redis.url,
      NEON_HTTP_ENDPOINT: neon.url + new URL(bench.stack.neon.sqlUrl).pathname,
      UPSTASH_VECTOR_REST_URL: vector.url,
    });
    stops.push(gw.stop);
    setDelay(ctx, 0);
    const rowsToRun = [
      ...(["full", "proxy"] as const).flatMap((tenant) => (["json", "stream"] as const).map((mode) => ({ tenant, mode }))),
      { tenant: "semantic", mode: "json" } as const,
    ];
    for (const { tenant, mode } of rowsToRun) {
      const headers = { authorization: `Bearer ${bench.keys[tenant]}`, ...(tenant === "proxy" ? {} : FULL_HEADERS) };
      const target: Target = { id: "edgeway", url: gw.url, headers };
      const spec = specFor(target, { mode, cache: "miss" });
      // warm: key, registry and price caches of this isolate
      await runCensus(spec, log, { n: 5, maxMs: 5000, delayMs });
      const result = await runCensus(spec, log, { n: ctx.durations.censusRequests, maxMs: 15_000, delayMs });
      rows.push(result.n > 0 ? { tenant, mode, result } : { tenant, mode, note: `all ${result.errors} requests failed` });
      const p = result.perRequest;
      ctx.log(
        `census ${tenant}/${mode}: n=${result.n} redis sync ${p.redisSync.toFixed(3)} async ${p.redisAsync.toFixed(3)}, pg sync ${p.pgSync.toFixed(3)} async ${p.pgAsync.toFixed(3)}, vector sync ${p.vectorSync.toFixed(3)}`,
      );
    }
  } catch (err) {
    rows.push({ tenant: "full", mode: "json", note: `census failed: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
  return rows;
}
