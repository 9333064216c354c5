/** The report: headline values, the Markdown and JSON files, and the one-line summary (pure but for `writeReport`). */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CensusRow, PhaseResult } from "./phase";
import { medianValue, type PairedLatency, type Rounds, roundValues } from "./round-values";
import { HEADLINE, HEADLINE_CONCURRENCY, type Mode, TARGET_LABELS, type TargetId } from "./scenarios";
import { describeDiff, differs, median, ratio } from "./stats";
import { type Startup, WORKERD_BIN } from "./workerd";

export type Meta = {
  date: string;
  machine: string;
  node: string;
  workerd: string;
  generator: string;
  pinning: string;
  postgres: string;
  quick: boolean;
  bundle: { bytes: number; gzipBytes: number };
  peers: string[];
  durationS: number;
  /** 1-minute load average at the start and at the end. */
  loadAverage: string;
  /** The commit measured, and whether the Worker's sources had local changes on top. */
  revision: string;
};

/** The run's context: machine, versions, generator, pinning, bundle, peers, duration, load average. */
export function collectMeta(o: {
  quick: boolean;
  generator: "wrk" | "node";
  pinning: string;
  postgres: "postgres" | "pglite";
  bundle: { bytes: number; gzipBytes: number };
  peers: string[];
  t0: number;
  load0: number;
}): Meta {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown CPU";
  const workerd = fileURLToPath(new URL(`../${WORKERD_BIN}`, import.meta.url));
  return {
    date: new Date().toISOString(),
    machine: `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    node: process.version,
    workerd: spawnSync(workerd, ["--version"], { encoding: "utf8" }).stdout.trim(),
    generator:
      o.generator === "wrk" ? "wrk 4 (Debian), one thread" : "Node fallback (bench/load.ts): high-concurrency req/s are a lower bound",
    pinning: o.pinning,
    postgres: o.postgres === "postgres" ? "the machine's Postgres (database per run)" : "PGlite",
    quick: o.quick,
    bundle: { bytes: o.bundle.bytes, gzipBytes: o.bundle.gzipBytes },
    peers: o.peers,
    durationS: (Date.now() - o.t0) / 1000,
    loadAverage: `${o.load0.toFixed(2)} at start, ${(loadavg()[0] as number).toFixed(2)} at end`,
    revision: revision(),
  };
}

/** `git` HEAD, plus "with local changes" when the Worker's sources differ from it. */
function revision(): string {
  const git = (...args: string[]) =>
    spawnSync("git", args, { encoding: "utf8", cwd: fileURLToPath(new URL("..", import.meta.url)) }).stdout?.trim() ?? "";
  const head = git("rev-parse", "--short", "HEAD") || "unknown";
  const dirty = git("status", "--porcelain", "--", "functions", "shared", "schema", "wrangler.toml", "package-lock.json");
  return dirty ? `${head} with local changes to the Worker's sources` : head;
}

/** A phase during which the rest of the machine used more than this many cores is flagged as disturbed. */
export const DISTURBED_CORES = 0.3;

export type Report = {
  meta: Meta;
  summary: Record<string, number | undefined>;
  phases: PhaseResult[];
  census: CensusRow[];
  rounds?: Rounds;
};

const find = (phases: readonly PhaseResult[], target: TargetId, mode: Mode, concurrency: number) =>
  phases.find(
    (p) =>
      p.status === "ok" &&
      p.phase.target === target &&
      p.phase.mode === mode &&
      p.phase.delayMs === HEADLINE.delayMs &&
      p.phase.cache === "miss" &&
      p.phase.concurrency === concurrency,
  );

const minus = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a - b : undefined);

/**
 * The summary values, all from the full-hot-path cache-miss scenario (non-streaming, no upstream
 * delay): throughput and CPU at the headline concurrency, added latency at concurrency 1 (sequential
 * client), round trips from the census. With `rounds`, their medians replace the values they
 * measured (throughput, CPU, the ratios between targets, added latency at c=1; see rounds.ts).
 */
export function headline(
  phases: readonly PhaseResult[],
  census: readonly CensusRow[],
  bundleGzipBytes?: number,
  rounds?: Rounds,
  startups?: StartupSamples,
): Record<string, number | undefined> {
  const c = HEADLINE_CONCURRENCY;
  const gw = find(phases, "edgeway", "json", c);
  const floor = find(phases, "floor", "json", c);
  const stackFloor = find(phases, "stack-floor", "json", c);
  const fullCensus = census.find((r) => r.tenant === "full" && r.mode === "json")?.result;
  const full = fullCensus?.perRequest;
  const semantic = census.find((r) => r.tenant === "semantic")?.result?.perRequest;
  const values: Record<string, number | undefined> = {
    rps_ratio_vs_direct: ratio(gw?.rps, find(phases, "direct", "json", c)?.rps),
    added_p50_ms: minus(find(phases, "edgeway", "json", 1)?.latency?.p50, find(phases, "direct", "json", 1)?.latency?.p50),
    ttfb_added_ms: minus(find(phases, "edgeway", "stream", 1)?.ttfb?.p50, find(phases, "direct", "stream", 1)?.ttfb?.p50),
    cpu_ms_per_req: gw?.cpuMsPerReq,
    redis_rt_per_req: full?.redisSync,
    redis_async_per_req: full?.redisAsync,
    pg_sync_per_req: full?.pgSyncStatements,
    floor_cpu_ms_per_req: floor?.cpuMsPerReq,
    io_floor_cpu_ms_per_req: find(phases, "io-floor", "json", c)?.cpuMsPerReq,
    stack_floor_cpu_ms_per_req: stackFloor?.cpuMsPerReq,
    vector_sync_per_req: semantic?.vectorSync,
    peak_mem_mb: gw?.peakMemMb,
    heap_growth_kb_per_1k: gw?.heapGrowthKbPer1k,
    proxy_cpu_ms_per_req: find(phases, "edgeway-proxy", "json", c)?.cpuMsPerReq,
    rps: gw?.rps,
    rps_ratio_vs_floor: ratio(gw?.rps, floor?.rps),
    cpu_ratio_vs_floor: ratio(gw?.cpuMsPerReq, floor?.cpuMsPerReq),
    cpu_ratio_vs_stack_floor: ratio(gw?.cpuMsPerReq, stackFloor?.cpuMsPerReq),
    redis_cmds_per_1k: gw?.perThousand?.redisCommands,
    redis_cpu_us_per_req: gw?.redisUsPerReq?.cpu,
    redis_script_us_per_req: gw?.redisUsPerReq?.scripts,
    io_floor_redis_cpu_us_per_req: find(phases, "io-floor", "json", c)?.redisUsPerReq?.cpu,
    pg_rows_per_1k: gw?.perThousand?.pgRows,
    bundle_gzip_kib: bundleGzipBytes === undefined ? undefined : bundleGzipBytes / 1024,
    redis_rt_median: fullCensus?.medianRedisSync,
    redis_rt_per_req_loaded: gw?.perRequest?.redisRt,
  };
  const peer = find(phases, "portkey", "json", c);
  if (peer) {
    values.rps_ratio_vs_portkey = ratio(gw?.rps, peer.rps);
    values.proxy_rps_ratio_vs_portkey = ratio(find(phases, "edgeway-proxy", "json", c)?.rps, peer.rps);
    values.stack_floor_rps_ratio_vs_portkey = ratio(stackFloor?.rps, peer.rps);
    values.portkey_cpu_ms_per_req = peer.cpuMsPerReq;
    values.portkey_cpu_ratio_vs_floor = ratio(peer.cpuMsPerReq, floor?.cpuMsPerReq);
  }
  // the interleaved rounds' medians, where they measured a value, stand for the single phases'
  return { ...values, ...(startups ? startupValues(startups) : {}), ...(rounds ? roundValues(rounds) : {}) };
}

/** Fresh processes of the gateway and of the floor, started and stopped in turn (setup.ts `startups`). */
export type StartupSamples = { gateway: readonly Startup[]; floor: readonly Startup[] };

/**
 * The start-up values, medians: `startup_cpu_ms`, the CPU the gateway's process used until it
 * listened minus the floor's (what the bundle's compile and global scope cost on top of the
 * runtime's own start; an upper bound of what Workers' start-up limit counts), `startup_ms` the
 * gateway's wall time from spawn to listening, `floor_startup_cpu_ms` the runtime's own start.
 */
export function startupValues(s: StartupSamples): Record<string, number | undefined> {
  const gateway = median(s.gateway.map((x) => x.cpuMs));
  const floor = median(s.floor.map((x) => x.cpuMs));
  return {
    startup_cpu_ms: gateway === undefined || floor === undefined ? undefined : gateway - floor,
    startup_ms: median(s.gateway.map((x) => x.wallMs)),
    floor_startup_cpu_ms: floor,
  };
}

/** Fixed decimals by kind of value: counts and ratios 2-3, milliseconds 3, throughput 0. */
export function formatValue(name: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "n/a";
  if (name === "rps" || name === "rounds" || name.endsWith("_kib") || name.endsWith("_mb") || name.endsWith("_per_1k"))
    return v.toFixed(name.endsWith("_per_1k") ? 1 : 0);
  if (name.startsWith("rps_ratio")) return v.toFixed(2);
  if (name.endsWith("_pct") || name.endsWith("_us_per_req") || name.includes("startup")) return v.toFixed(1);
  return v.toFixed(3);
}

/**
 * What set the pace of a load phase: the target's core (≥ 80% busy), the load side (the bench's
 * process with the stand-ins, the mock and the client, plus wrk, ≥ 0.85 of a core), other work on
 * the machine (≥ DISTURBED_CORES), or none of them (latency-bound: not enough concurrency).
 */
export function limitOf(p: Pick<PhaseResult, "busyPct" | "benchCores" | "otherCores">): string {
  if ((p.busyPct ?? 0) >= 80) return "target";
  if ((p.benchCores ?? 0) >= 0.85) return "load side";
  if ((p.otherCores ?? 0) > DISTURBED_CORES) return "disturbed";
  return "latency";
}

/** The human-readable headline printed before the summary line. */
export function headlineLine(v: Record<string, number | undefined>, limit?: string): string {
  const x = (k: string) => formatValue(k, v[k]);
  const peer = v.rps_ratio_vs_portkey === undefined ? "" : `, ${x("rps_ratio_vs_portkey")}× Portkey`;
  return (
    `headline: ${x("rps")} req/s full hot path (${x("rps_ratio_vs_direct")}× direct, ${x("rps_ratio_vs_floor")}× floor${peer}${limit ? `; limited by: ${limit}` : ""}); ` +
    `+${x("added_p50_ms")} ms p50, +${x("ttfb_added_ms")} ms TTFB at c=1; ${x("cpu_ms_per_req")} ms CPU/req (floor ${x("floor_cpu_ms_per_req")}); ` +
    `Redis ${x("redis_rt_per_req")} round trips before the first byte, ${x("redis_async_per_req")} after; Postgres ${x("pg_sync_per_req")} before`
  );
}

/** `summary: name=value name=value ...` (missing values as n/a). */
export function summaryLine(values: Record<string, number | undefined>): string {
  return `summary: ${Object.entries(values)
    .map(([k, v]) => `${k}=${formatValue(k, v)}`)
    .join(" ")}`;
}

const TARGETS: Array<{ name: string; check: (v: Record<string, number | undefined>) => boolean | undefined; text: string }> = [
  {
    name: "redis_rt_per_req",
    text: "≤ 1 Redis round trip before the first byte (the mean: a key in steady use is re-read after the response, so no request waits for its refresh; 0.005 of slack for a refresh the census's pace let lapse)",
    check: (v) => at(v.redis_rt_per_req, (x) => x <= 1.005),
  },
  { name: "pg_sync_per_req", text: "0 synchronous Postgres statements (warm)", check: (v) => at(v.pg_sync_per_req, (x) => x < 0.005) },
  {
    name: "vector_sync_per_req",
    text: "≤ 1 Vector query before the first byte (semantic cache)",
    check: (v) => at(v.vector_sync_per_req, (x) => x <= 1),
  },
  {
    name: "redis_cmds_per_1k",
    text: "≤ 3 billed Redis commands per request (DESIGN.md)",
    check: (v) => at(v.redis_cmds_per_1k, (x) => x <= 3000),
  },
  { name: "added_p50_ms", text: "≤ 1 ms added p50, non-streaming, c=1", check: (v) => at(v.added_p50_ms, (x) => x <= 1) },
  { name: "ttfb_added_ms", text: "≤ 1 ms added TTFB, streaming, c=1", check: (v) => at(v.ttfb_added_ms, (x) => x <= 1) },
  { name: "rps_ratio_vs_portkey", text: "≥ 3× Portkey's throughput", check: (v) => at(v.rps_ratio_vs_portkey, (x) => x >= 3) },
  { name: "cpu_ms_per_req", text: "≤ 0.4 ms CPU per request (raw workerd)", check: (v) => at(v.cpu_ms_per_req, (x) => x <= 0.4) },
  { name: "bundle_gzip_kib", text: "bundle ≤ 1 MiB gzipped", check: (v) => at(v.bundle_gzip_kib, (x) => x <= 1024) },
  {
    name: "startup_cpu_ms",
    text: "start-up well under Workers' 1 s limit: the bundle's compile and global scope (CPU until listening, above the floor's) ≤ 250 ms",
    check: (v) => at(v.startup_cpu_ms, (x) => x <= 250),
  },
  {
    name: "heap_growth_kb_per_1k",
    text: "no leak: the JS heap after a full GC grows ≤ 100 KB per 1,000 requests (an isolate has 128 MB)",
    check: (v) => at(v.heap_growth_kb_per_1k, (x) => x <= 100),
  },
];

/** What the stack floor's values are for, in the headline table (they have no target of their own). */
const KEY_NOTES: Record<string, string> = {
  stack_floor_cpu_ms_per_req: "the stack floor (bench/stack-floor.ts): the stack's part of the hot path, no gateway logic",
  cpu_ratio_vs_stack_floor: "Edgeway's CPU over the stack floor's: what its own logic adds",
  stack_floor_rps_ratio_vs_portkey: "the stack floor over Portkey: the most `rps_ratio_vs_portkey` could read on this stack and machine",
  stack_floor_added_p50_ms: "the least a gateway on this stack adds at c=1 here (same turns as Edgeway's)",
  stack_floor_ttfb_added_ms: "the same, to a stream's first byte",
};

function at(v: number | undefined, ok: (x: number) => boolean): boolean | undefined {
  return v === undefined || !Number.isFinite(v) ? undefined : ok(v);
}

const f = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));

/** "direct, Edgeway and the baseline": the sides of the c=1 turns. */
function sidesOf(p: PairedLatency): string {
  const sides = [
    "direct",
    "Edgeway",
    ...(p.baseline === undefined ? [] : ["the baseline"]),
    ...(p.stackFloor === undefined ? [] : ["the stack floor"]),
  ];
  return `${sides.slice(0, -1).join(", ")} and ${sides.at(-1)}`;
}

/** The interleaved rounds (rounds.ts): each run's req/s and CPU, the medians, the paired c=1 latencies. */
export function roundsSection(rounds: Rounds | undefined): string[] {
  if (!rounds || rounds.runs.length === 0) return [];
  const targets = [...new Set(rounds.runs.flatMap((round) => round.map((run) => run.target)))];
  const lines = [`## Interleaved rounds (non-streaming, upstream delay 0, c=${HEADLINE_CONCURRENCY})`, ""];
  lines.push(
    "Each round runs every target once, one place further along the list each time; the summary takes the medians (of each value, and of each per-round ratio), so a slow spell of the machine hits every target alike. Cells: req/s, CPU ms per request.",
    "",
  );
  lines.push(`| target | ${rounds.runs.map((_, i) => `round ${i + 1}`).join(" | ")} | median |`);
  lines.push(`|---|${rounds.runs.map(() => "---|").join("")}---|`);
  for (const t of targets) {
    const runs = rounds.runs.map((round) => round.find((run) => run.target === t));
    const cell = (rps?: number, cpu?: number) => (rps === undefined ? "–" : `${rps.toFixed(0)}, ${f(cpu, 3)}`);
    const median = cell(
      medianValue(rounds, t, (x) => x.rps),
      medianValue(rounds, t, (x) => x.cpuMsPerReq),
    );
    lines.push(`| ${TARGET_LABELS[t]} | ${runs.map((x) => cell(x?.rps, x?.cpuMsPerReq)).join(" | ")} | ${median} |`);
  }
  for (const d of rounds.dropped) lines.push("", `- left out: ${d}`);
  const c1 = rounds.c1;
  for (const [mode, what] of [
    ["json", "p50"],
    ["stream", "TTFB p50"],
  ] as const) {
    const p = c1?.[mode];
    if (p)
      lines.push(
        "",
        `- c=1, ${mode}, one client alternating ${sidesOf(p)} (${p.pairs} turns): ${what} direct ${p.direct.toFixed(3)} ms, Edgeway ${p.edgeway.toFixed(3)} ms (added ${(p.edgeway - p.direct).toFixed(3)} ms)` +
          (p.baseline === undefined ? "" : `, baseline ${p.baseline.toFixed(3)} ms (added ${(p.baseline - p.direct).toFixed(3)} ms)`) +
          (p.stackFloor === undefined
            ? ""
            : `, stack floor ${p.stackFloor.toFixed(3)} ms (added ${(p.stackFloor - p.direct).toFixed(3)} ms)`) +
          (p.vsBaseline ? `; Edgeway − baseline ${describeDiff(p.vsBaseline)}` : ""),
      );
  }
  lines.push("");
  return lines;
}

/** The Markdown report. */
export function markdown(r: Report): string {
  const { meta, summary, phases, census } = r;
  const direct = (p: PhaseResult) =>
    phases.find(
      (d) =>
        d.status === "ok" &&
        d.phase.target === "direct" &&
        d.phase.mode === p.phase.mode &&
        d.phase.delayMs === p.phase.delayMs &&
        d.phase.concurrency === 1,
    );
  const lines: string[] = [];
  lines.push(`# Edgeway benchmark, ${meta.date}${meta.quick ? " (BENCH_QUICK)" : ""}`, "");
  lines.push(`- revision: ${meta.revision}`);
  lines.push(`- machine: ${meta.machine}`);
  lines.push(`- runtime: workerd ${meta.workerd} (raw \`workerd serve\`), Node ${meta.node}; Postgres: ${meta.postgres}`);
  lines.push(`- load generator: ${meta.generator}; pinning: ${meta.pinning}`);
  lines.push(`- load average: ${meta.loadAverage}`);
  lines.push(`- Worker bundle: ${(meta.bundle.bytes / 1024).toFixed(0)} KiB, ${(meta.bundle.gzipBytes / 1024).toFixed(0)} KiB gzipped`);
  lines.push(
    `- peers: ${meta.peers.length ? meta.peers.join("; ") : "none (BENCH_PEERS=portkey adds Portkey)"}; run took ${meta.durationS.toFixed(0)} s`,
    "",
  );

  lines.push("## Headline (full hot path, cache miss, non-streaming, upstream delay 0)", "");
  lines.push("| value | measured | target | met |", "|---|---|---|---|");
  for (const [k, v] of Object.entries(summary)) {
    const t = TARGETS.find((x) => x.name === k);
    const met = t?.check(summary);
    lines.push(
      `| \`${k}\` | ${formatValue(k, v)} | ${t?.text ?? KEY_NOTES[k] ?? ""} | ${t ? (met === undefined ? "n/a" : met ? "yes" : "**no**") : ""} |`,
    );
  }
  lines.push("");

  lines.push(...roundsSection(r.rounds));

  lines.push("## Scenarios", "");
  lines.push(
    `c = concurrency. Latencies in ms: at c=1 from the sequential client (wrk's coordinated-omission-corrected p99 in brackets when it differs), otherwise from the load generator. Added = p50 minus direct's p50 (c=1). TTFB = first body byte. Counters per request. Core busy = the target's CPU time / wall time (100% = its core saturated). Heap Δ = growth of the gateway's JS heap after a full GC over the phase, KB per 1,000 requests (a leak shows here; small values are caches filling). Load side = cores used by the bench's own process (stand-ins, mock upstream, sequential client) plus wrk: near 1.0 the load side, not the target, was the limit. Log err/warn = error and warning lines the target's process logged during the phase (the messages are listed further down). Other CPU = cores used by the rest of the machine during the phase (includes Redis, Postgres and kernel network time); above ${DISTURBED_CORES} the phase is marked "disturbed". Limit (c > 1) = what set the pace: target (its core ≥ 80% busy), load side (≥ 0.85 core), disturbed, or latency (neither saturated).`,
    "",
  );
  lines.push(
    "| scenario | target | mode | delay | c | req/s | p50 | p90 | p99 | TTFB p50 | added p50 | added TTFB | CPU ms/req | core busy | peak MB | heap Δ KB/1k | load side | other CPU | limit | log err/warn | Redis RT | Redis cmds | PG stmts | Vector q | upstream | note |",
  );
  lines.push(`|${"---|".repeat(26)}`);
  for (const p of phases) {
    const d = p.phase.concurrency === 1 ? direct(p) : undefined;
    const c = p.perRequest;
    const wrkP99 = p.latencyWrk && p.latency && differs(p.latencyWrk.p99, p.latency.p99) ? ` (${f(p.latencyWrk.p99)})` : "";
    const note =
      p.status === "ok" ? (p.cacheHitRatio !== undefined ? `hit ratio ${f(p.cacheHitRatio)}` : "") : `${p.status}: ${p.note ?? ""}`;
    lines.push(
      `| ${p.phase.cache} | ${TARGET_LABELS[p.phase.target]} | ${p.phase.mode} | ${p.phase.delayMs} | ${p.phase.concurrency} | ${f(p.rps, 0)} | ${f(p.latency?.p50)} | ${f(p.latency?.p90)} | ${f(p.latency?.p99)}${wrkP99} | ${f(p.ttfb?.p50)} | ${d && p.phase.target !== "direct" ? f(minus(p.latency?.p50, d.latency?.p50)) : ""} | ${d && p.phase.target !== "direct" ? f(minus(p.ttfb?.p50, d.ttfb?.p50)) : ""} | ${f(p.cpuMsPerReq, 3)} | ${p.busyPct === undefined ? "" : `${p.busyPct.toFixed(0)}%`} | ${f(p.peakMemMb, 0)} | ${f(p.heapGrowthKbPer1k, 0)} | ${f(p.benchCores)} | ${f(p.otherCores)} | ${p.status === "ok" && p.phase.concurrency > 1 ? limitOf(p) : ""} | ${p.log ? `${p.log.errors}/${p.log.warnings}` : ""} | ${f(c?.redisRt, 3)} | ${f(c?.redisCommands, 3)} | ${f(c?.pgStatements, 3)} | ${f(c?.vectorQueries, 3)} | ${f(c?.upstreamCalls, 2)} | ${note.replaceAll("|", "\\|")} |`,
    );
  }
  lines.push("");

  lines.push("## Round trips before and after the first byte (census, c=1, cache miss)", "");
  lines.push(
    "| tenant | mode | n | Redis sync | Redis async | PG sync (stmts) | PG async | Vector sync | Vector async | requests with sync PG | Redis sync: median / max | ms per call (stand-in + proxy hop): Redis / PG / Vector |",
  );
  lines.push(`|${"---|".repeat(12)}`);
  for (const row of census) {
    const x = row.result;
    const p = x?.perRequest;
    lines.push(
      x && p
        ? `| ${row.tenant} | ${row.mode} | ${x.n} | ${f(p.redisSync, 3)} | ${f(p.redisAsync, 3)} | ${f(p.pgSync, 3)} (${f(p.pgSyncStatements, 3)}) | ${f(p.pgAsync, 3)} | ${f(p.vectorSync, 3)} | ${f(p.vectorAsync, 3)} | ${x.requestsWithPgSync} | ${x.medianRedisSync} / ${x.maxRedisSync} | ${f(x.serviceMs.redis)} / ${f(x.serviceMs.postgres)} / ${f(x.serviceMs.vector)} |`
        : `| ${row.tenant} | ${row.mode} | – | ${row.note ?? ""} ||||||||||`,
    );
  }
  lines.push("");

  lines.push("## Capacity planning (per 1,000 requests, cache miss)", "");
  lines.push(
    "| target | mode | delay | c | Redis commands (incl. flush) | of which flush | Redis CPU, ms (request path) | of which scripts | Postgres rows written | flush PG statements |",
  );
  lines.push(`|${"---|".repeat(10)}`);
  // the I/O floor (one GET per request) for scale: its no-delay JSON phases
  const ioFloor = (x: PhaseResult) => x.phase.target === "io-floor" && x.phase.mode === "json" && x.phase.delayMs === 0;
  const capacity = (x: PhaseResult) => x.perThousand !== undefined || ioFloor(x);
  for (const p of phases.filter((x) => capacity(x) && x.phase.cache === "miss" && x.phase.concurrency > 1)) {
    const k = p.perThousand;
    const redisMs = p.redisUsPerReq; // µs per request = ms per 1,000
    lines.push(
      `| ${TARGET_LABELS[p.phase.target]} | ${p.phase.mode} | ${p.phase.delayMs} | ${p.phase.concurrency} | ${f(k?.redisCommands, 1)} | ${f(k?.flushRedisCommands, 1)} | ${f(redisMs?.cpu, 1)} | ${f(redisMs?.scripts, 1)} | ${f(k?.pgRows, 1)} | ${f(k?.flushPgStatements, 1)} |`,
    );
  }
  lines.push("");

  const logged = phases.filter((p) => p.log && p.log.errors + p.log.warnings > 0);
  if (logged.length) {
    lines.push("## What the Worker logged (errors and warnings, most frequent first)", "");
    for (const p of logged)
      lines.push(
        `- \`${p.id}\` (${p.requests ?? 0} requests): ${(p.log?.top ?? []).map((t) => `${t.level} ×${t.count}: ${t.message.replaceAll("|", "\\|")}`).join("; ")}`,
      );
    lines.push("");
  }

  const na = phases.filter((p) => p.status !== "ok");
  if (na.length) {
    lines.push("## Not measured", "");
    for (const p of na) lines.push(`- \`${p.id}\`: ${p.status}: ${p.note ?? ""}`);
    lines.push("");
  }
  lines.push("Methodology, and what each number means: `bench/README.md`.", "");
  return lines.join("\n");
}

/**
 * Writes `bench/results/<stamp>.{md,json}` and `latest.{md,json}`; a partial run (BENCH_FILTER)
 * writes `<stamp>-partial.*` only, leaving `latest` alone. Returns the Markdown path.
 */
export function writeReport(dir: string, r: Report, partial = false): string {
  mkdirSync(dir, { recursive: true });
  const stamp = `${r.meta.date.replace(/[:.]/g, "-")}${partial ? "-partial" : ""}`;
  const md = markdown(r);
  const json = JSON.stringify(r, null, 2);
  for (const name of partial ? [stamp] : [stamp, "latest"]) {
    writeFileSync(join(dir, `${name}.md`), md);
    writeFileSync(join(dir, `${name}.json`), json);
  }
  return join(dir, `${stamp}.md`);
}
