import { describe, expect, it } from "vitest";
import type { CensusRow, PhaseResult } from "../../bench/phase";
import { formatValue, headline, limitOf, markdown, type Report, roundsSection, startupValues, summaryLine } from "../../bench/report";
import type { Phase } from "../../bench/scenarios";
import { summarize } from "../../bench/stats";

const phase = (p: Partial<Phase>): Phase => ({ target: "edgeway", mode: "json", delayMs: 0, concurrency: 32, cache: "miss", ...p });
const result = (p: Partial<Phase>, r: Partial<PhaseResult>): PhaseResult => ({
  id: JSON.stringify(p),
  phase: phase(p),
  status: "ok",
  ...r,
});
const lat = (p50: number) => ({ ...summarize([p50]) });

const phases: PhaseResult[] = [
  result({ target: "direct" }, { rps: 10_000 }),
  result({ target: "floor" }, { rps: 7_000, cpuMsPerReq: 0.13 }),
  result({ target: "io-floor" }, { rps: 6_000, cpuMsPerReq: 0.2, redisUsPerReq: { cpu: 9.5, scripts: 0 } }),
  result({ target: "stack-floor" }, { rps: 5_500, cpuMsPerReq: 0.24 }),
  result(
    { target: "edgeway" },
    {
      rps: 5_000,
      cpuMsPerReq: 0.3,
      redisUsPerReq: { cpu: 61.25, scripts: 40.5 },
      perThousand: { redisCommands: 1020, pgRows: 1000, flushRedisCommands: 4, flushPgStatements: 2 },
    },
  ),
  result({ target: "portkey" }, { rps: 1_000 }),
  result({ target: "direct", concurrency: 1 }, { latency: lat(0.2) }),
  result({ target: "edgeway", concurrency: 1 }, { latency: lat(0.9) }),
  result({ target: "direct", mode: "stream", concurrency: 1 }, { ttfb: lat(0.25) }),
  result({ target: "edgeway", mode: "stream", concurrency: 1 }, { ttfb: lat(0.95) }),
  // not the headline: other delay, and a failed phase
  result({ target: "edgeway", delayMs: 20 }, { rps: 1_500 }),
  result({ target: "edgeway", cache: "exact-hit" }, { status: "n/a", note: "no cache hit observed" }),
];
/** A census row at c=1: one Redis round trip before and after, no Postgres, `vector` Vector calls before and after. */
const censusRow = (tenant: CensusRow["tenant"], vector: number): CensusRow => ({
  tenant,
  mode: "json",
  result: {
    n: 40,
    errors: 0,
    delayMs: 15,
    perRequest: { redisSync: 1, redisAsync: 1, pgSync: 0, pgSyncStatements: 0, pgAsync: 0, vectorSync: vector, vectorAsync: vector },
    requestsWithPgSync: 0,
    maxRedisSync: 1,
    medianRedisSync: 1,
    serviceMs: { redis: 0.3, postgres: Number.NaN, vector: 2 },
  },
});
const census: CensusRow[] = [censusRow("full", 0), censusRow("semantic", 1)];

const report = (summary: Report["summary"]): Report => ({
  meta: {
    date: "2026-01-01T00:00:00.000Z",
    machine: "test CPU, 2 cores",
    node: "v20",
    workerd: "workerd 2026-04-26",
    generator: "wrk",
    pinning: "none",
    postgres: "pglite",
    quick: true,
    bundle: { bytes: 2048, gzipBytes: 1024 },
    peers: [],
    durationS: 1,
    loadAverage: "0.1 at start, 0.2 at end",
    revision: "abc1234",
  },
  summary,
  phases,
  census,
});

describe("headline", () => {
  it("takes every value from the full-hot-path cache-miss scenario", () => {
    const h = headline(phases, census, 320 * 1024);
    expect(h.rps_ratio_vs_direct).toBeCloseTo(0.5);
    expect(h.rps_ratio_vs_portkey).toBeCloseTo(5);
    expect(h.portkey_cpu_ms_per_req).toBeUndefined(); // the fixture's Portkey phase has no CPU reading
    expect(h.added_p50_ms).toBeCloseTo(0.7);
    expect(h.ttfb_added_ms).toBeCloseTo(0.7);
    expect(h.cpu_ms_per_req).toBe(0.3);
    expect(h.cpu_ratio_vs_floor).toBeCloseTo(0.3 / 0.13, 6);
    expect(h.portkey_cpu_ratio_vs_floor).toBeUndefined();
    expect(h.floor_cpu_ms_per_req).toBe(0.13);
    expect(h.redis_rt_per_req).toBe(1);
    expect(h.redis_async_per_req).toBe(1);
    expect(h.pg_sync_per_req).toBe(0);
    expect(h.redis_cmds_per_1k).toBe(1020);
    expect(h.redis_cpu_us_per_req).toBe(61.25);
    expect(h.redis_script_us_per_req).toBe(40.5);
    expect(h.io_floor_redis_cpu_us_per_req).toBe(9.5);
    // the stack floor: what the stack itself costs, and how far the peer is below it
    expect(h.stack_floor_cpu_ms_per_req).toBe(0.24);
    expect(h.cpu_ratio_vs_stack_floor).toBeCloseTo(0.3 / 0.24, 6);
    expect(h.stack_floor_rps_ratio_vs_portkey).toBeCloseTo(5.5, 6);
    expect(markdown(report(h))).toContain(
      "| `stack_floor_rps_ratio_vs_portkey` | 5.500 | the stack floor over Portkey: the most `rps_ratio_vs_portkey` could read on this stack and machine |  |",
    );
    expect(formatValue("redis_cpu_us_per_req", 61.25)).toBe("61.3");
    expect(h.bundle_gzip_kib).toBe(320);
    // the Vector figure comes from the semantic-cache tenant's census row, the only one that queries it
    expect(h.vector_sync_per_req).toBe(1);
  });

  it("takes throughput, CPU, the ratios and c=1 added latency from the interleaved rounds when they ran", () => {
    const rounds = {
      runs: [
        [
          { target: "edgeway" as const, rps: 4_000, cpuMsPerReq: 0.5 },
          { target: "portkey" as const, rps: 2_000, cpuMsPerReq: 1.1 },
        ],
      ],
      dropped: [],
      c1: { json: { pairs: 50, direct: 0.2, edgeway: 0.6 } },
    };
    const h = headline(phases, census, 1024, rounds);
    expect(h.rps).toBe(4_000);
    expect(h.cpu_ms_per_req).toBe(0.5);
    expect(h.rps_ratio_vs_portkey).toBe(2);
    expect(h.portkey_cpu_ms_per_req).toBe(1.1);
    expect(h.added_p50_ms).toBeCloseTo(0.4);
    // not measured by the rounds: the single phases' values
    expect(h.ttfb_added_ms).toBeCloseTo(0.7);
    expect(h.floor_cpu_ms_per_req).toBe(0.13);
    expect(h.rps_ratio_vs_direct).toBeCloseTo(0.5);
    expect(summaryLine(h)).toMatch(/ rounds=1$/);
    expect(markdown({ ...report(h), rounds })).toContain("| Edgeway, full hot path | 4000, 0.500 | 4000, 0.500 |");
  });

  it("leaves out the Portkey ratio when the peer did not run, and reports missing values as n/a", () => {
    const h = headline(
      phases.filter((p) => p.phase.target !== "portkey" && p.phase.target !== "direct"),
      [],
    );
    expect("rps_ratio_vs_portkey" in h).toBe(false);
    expect("portkey_cpu_ms_per_req" in h).toBe(false);
    const line = summaryLine(h);
    expect(line).toMatch(/^summary: rps_ratio_vs_direct=n\/a added_p50_ms=n\/a /);
    expect(line).toContain("redis_rt_per_req=n/a");
    expect(line).toContain("cpu_ms_per_req=0.300");
  });
});

describe("start-up values", () => {
  const startups = {
    gateway: [
      { wallMs: 120, cpuMs: 101 },
      { wallMs: 110, cpuMs: 95 },
      { wallMs: 300, cpuMs: 260 },
    ],
    floor: [
      { wallMs: 20, cpuMs: 11 },
      { wallMs: 18, cpuMs: 10 },
      { wallMs: 40, cpuMs: 30 },
    ],
  };

  it("are the medians: the gateway's CPU until listening above the floor's, its wall time, and the floor's own", () => {
    expect(startupValues(startups)).toEqual({ startup_cpu_ms: 90, startup_ms: 120, floor_startup_cpu_ms: 11 });
    expect(startupValues({ gateway: [], floor: startups.floor })).toEqual({
      startup_cpu_ms: undefined,
      startup_ms: undefined,
      floor_startup_cpu_ms: 11,
    });
  });

  it("go into the summary with one decimal and are judged against a quarter of Workers' 1 s limit", () => {
    const h = headline(phases, census, 1024, undefined, startups);
    expect(summaryLine(h)).toContain(" startup_cpu_ms=90.0 startup_ms=120.0 floor_startup_cpu_ms=11.0");
    const row = (v: number) =>
      markdown(report({ ...h, startup_cpu_ms: v }))
        .split("\n")
        .find((l) => l.startsWith("| `startup_cpu_ms` |"));
    expect(row(90)).toMatch(/\| 90\.0 \| start-up well under Workers' 1 s limit.*≤ 250 ms \| yes \|$/);
    expect(row(251)).toMatch(/\| \*\*no\*\* \|$/);
  });
});

describe("summary line", () => {
  it("is one line of name=value pairs with the required names first", () => {
    const line = summaryLine(headline(phases, census, 1024));
    expect(line.split("\n")).toHaveLength(1);
    const names = line
      .replace(/^summary: /, "")
      .split(" ")
      .map((kv) => kv.split("=")[0]);
    expect(names.slice(0, 8)).toEqual([
      "rps_ratio_vs_direct",
      "added_p50_ms",
      "ttfb_added_ms",
      "cpu_ms_per_req",
      "redis_rt_per_req",
      "redis_async_per_req",
      "pg_sync_per_req",
      "floor_cpu_ms_per_req",
    ]);
    expect(names).toContain("rps_ratio_vs_portkey");
    expect(names).toContain("redis_rt_per_req_loaded");
    expect(line).toContain("summary: rps_ratio_vs_direct=0.50 added_p50_ms=0.700 ttfb_added_ms=0.700 cpu_ms_per_req=0.300 ");
  });

  it("formats by kind", () => {
    expect(formatValue("rps", 1234.56)).toBe("1235");
    expect(formatValue("rps_ratio_vs_portkey", 3.456)).toBe("3.46");
    expect(formatValue("added_p50_ms", 0.41234)).toBe("0.412");
    expect(formatValue("pg_rows_per_1k", 1000.44)).toBe("1000.4");
    expect(formatValue("x", Number.NaN)).toBe("n/a");
    expect(formatValue("x", undefined)).toBe("n/a");
  });
});

describe("rounds section", () => {
  it("gives the c=1 difference against the baseline with its interval", () => {
    const lines = roundsSection({
      runs: [[{ target: "edgeway", rps: 1000, cpuMsPerReq: 0.4 }]],
      dropped: [],
      c1: {
        json: {
          pairs: 900,
          direct: 0.2,
          edgeway: 1.25,
          baseline: 1.3,
          vsBaseline: { diff: -0.05, lo: -0.08, hi: -0.02, confidence: 0.95 },
        },
      },
    });
    expect(lines).toContain(
      "- c=1, json, one client alternating direct, Edgeway and the baseline (900 turns): p50 direct 0.200 ms, Edgeway 1.250 ms (added 1.050 ms), baseline 1.300 ms (added 1.100 ms); Edgeway − baseline -0.050 ms (95% interval -0.080 to -0.020)",
    );
  });

  it("names the stack floor among the sides when it ran in the turns", () => {
    const lines = roundsSection({
      runs: [[{ target: "edgeway", rps: 1000, cpuMsPerReq: 0.4 }]],
      dropped: [],
      c1: { stream: { pairs: 300, direct: 0.25, edgeway: 1.5, stackFloor: 1.0 } },
    });
    expect(lines).toContain(
      "- c=1, stream, one client alternating direct, Edgeway and the stack floor (300 turns): TTFB p50 direct 0.250 ms, Edgeway 1.500 ms (added 1.250 ms), stack floor 1.000 ms (added 0.750 ms)",
    );
  });
});

describe("limit", () => {
  it("names what set the pace of a load phase", () => {
    expect(limitOf({ busyPct: 85, benchCores: 0.9, otherCores: 1 })).toBe("target");
    expect(limitOf({ busyPct: 35, benchCores: 0.9, otherCores: 0 })).toBe("load side");
    expect(limitOf({ busyPct: 35, benchCores: 0.4, otherCores: 0.8 })).toBe("disturbed");
    expect(limitOf({ busyPct: 35, benchCores: 0.4, otherCores: 0.1 })).toBe("latency");
  });
});

describe("markdown", () => {
  it("renders the tables and lists what was not measured, with the reason", () => {
    const r = report(headline(phases, census, 1024));
    const md = markdown(r);
    expect(md).toContain("# Edgeway benchmark, 2026-01-01T00:00:00.000Z (BENCH_QUICK)");
    expect(md).toContain("| `cpu_ms_per_req` | 0.300 | ≤ 0.4 ms CPU per request (raw workerd) | yes |");
    expect(md).toContain("no cache hit observed");
    expect(md).toContain("## Capacity planning");
    // Redis's CPU per 1,000 requests next to the commands, the I/O floor's (one GET each) for scale
    expect(md).toContain("| Edgeway, full hot path | json | 0 | 32 | 1020.0 | 4.0 | 61.3 | 40.5 | 1000.0 | 2.0 |");
    expect(md).toMatch(/\| I\/O floor[^|]* \| json \| 0 \| 32 \| – \| – \| 9\.5 \| 0\.0 \| – \| – \|/);
    expect(md).not.toContain("## Interleaved rounds"); // none ran
  });
});
