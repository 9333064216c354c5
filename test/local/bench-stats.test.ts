import { describe, expect, it } from "vitest";
import { parseProcStatBusy, parseRedisTimes, parseStatSystemTicks, parseStatTicks, parseStatusMemory } from "../../bench/metrics";
import { correctLikeWrk, describeDiff, differs, expectedInterval, pairedP50Diff, percentile, summarize } from "../../bench/stats";

describe("percentile (wrk's rank rule)", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it("picks the value whose cumulative count reaches round(p/100·n + 0.5)", () => {
    expect(percentile(values, 50)).toBe(51); // rank round(50.5) = 51 (JS rounds .5 up, like C's round for positives)
    expect(percentile(values, 90)).toBe(91);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it("handles tiny and empty inputs", () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2], 50)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarize sorts, and keeps the unit", () => {
    const s = summarize([3, 1, 2, 10]);
    expect(s).toEqual({ n: 4, mean: 4, p50: 3, p90: 10, p99: 10, max: 10 });
    expect(summarize([]).n).toBe(0);
  });
});

describe("coordinated-omission correction (wrk's stats_correct)", () => {
  it("adds v − e, v − 2e, … while above e, for samples of at least 2e", () => {
    expect(correctLikeWrk([1, 1, 10], 2).sort((a, b) => a - b)).toEqual([1, 1, 4, 6, 8, 10]);
  });

  it("leaves samples below 2e alone (2e itself adds nothing: e is not above e)", () => {
    expect(correctLikeWrk([1, 3, 4], 2)).toEqual([1, 3, 4]);
  });

  it("raises p99 when a rare stall hides behind many fast requests", () => {
    const fast = Array.from({ length: 999 }, () => 1);
    const raw = [...fast, 200];
    const corrected = correctLikeWrk(raw, expectedInterval(1199, raw.length, 1));
    expect(
      percentile(
        [...raw].sort((a, b) => a - b),
        99,
      ),
    ).toBe(1);
    expect(
      percentile(
        corrected.sort((a, b) => a - b),
        99,
      ),
    ).toBeGreaterThan(100);
  });

  it("is bounded, and a no-op without an interval", () => {
    expect(correctLikeWrk([1_000_000], 1, 10)).toHaveLength(11);
    expect(correctLikeWrk([5, 50], 0)).toEqual([5, 50]);
  });

  it("expects duration / (completed / connections) per connection", () => {
    expect(expectedInterval(1000, 100, 1)).toBe(10);
    expect(expectedInterval(1000, 3200, 32)).toBe(10);
    expect(expectedInterval(1000, 10, 32)).toBe(0);
  });

  it("differs needs both a relative and an absolute gap", () => {
    expect(differs(1.0, 1.1)).toBe(false);
    expect(differs(1.44, 5.78)).toBe(true);
    expect(differs(0.1, 0.2)).toBe(false); // 100% apart but only 0.1 ms
  });
});

describe("/proc parsing", () => {
  it("reads utime + stime even when the command name holds spaces and parentheses", () => {
    const stat = "4242 (work (er) d) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 25 3 4 20 0 9 0 100 0 0";
    expect(parseStatTicks(stat)).toBe(175);
    expect(parseStatSystemTicks(stat)).toBe(25); // stime alone
  });

  it("reads VmRSS and VmHWM in kB", () => {
    const status = "Name:\tworkerd\nVmPeak:\t 900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n";
    expect(parseStatusMemory(status)).toEqual({ rssKb: 100000, peakKb: 123456 });
  });

  it("counts all but idle and iowait as busy", () => {
    const procStat = "cpu  100 5 50 1000 40 3 2 1 0 0\ncpu0 50 2 25 500 20 1 1 0 0 0\n";
    expect(parseProcStatBusy(procStat)).toBe(100 + 5 + 50 + 3 + 2 + 1);
  });

  it("reads Redis's CPU time (user + system, not its children's) and its scripts' time from INFO, in µs", () => {
    const info = [
      "# CPU",
      "used_cpu_sys:1.250375",
      "used_cpu_user:3.500125",
      "used_cpu_sys_children:9.000000",
      "used_cpu_user_children:9.000000",
      "# Commandstats",
      "cmdstat_evalsha:calls=10,usec=400,usec_per_call=40.00,rejected_calls=0,failed_calls=0",
      "cmdstat_eval:calls=1,usec=55,usec_per_call=55.00,rejected_calls=0,failed_calls=0",
      "cmdstat_evalsha_ro:calls=1,usec=7,usec_per_call=7.00,rejected_calls=0,failed_calls=0",
      "cmdstat_get:calls=99,usec=30,usec_per_call=0.30,rejected_calls=0,failed_calls=0",
      "",
    ].join("\r\n");
    expect(parseRedisTimes(info)).toEqual({ cpuUs: 4_750_500, scriptUs: 462 });
    expect(parseRedisTimes("# CPU\r\n").cpuUs).toBeNaN();
  });
});

describe("paired p50 difference", () => {
  // turn i: a common drift (the machine's moment) plus each side's own small noise
  const turns = 400;
  const drift = Array.from({ length: turns }, (_, i) => Math.sin(i / 7) * 0.5);
  const noise = (i: number, k: number) => (((i * 7919 + k * 104729) % 1000) / 1000 - 0.5) * 0.04;

  it("finds a 0.03 ms shift under a ±0.5 ms common drift, and no shift where there is none", () => {
    const b = drift.map((d, i) => 1.2 + d + noise(i, 1));
    const shifted = pairedP50Diff(
      drift.map((d, i) => 1.17 + d + noise(i, 2)),
      b,
    );
    expect(shifted?.diff).toBeCloseTo(-0.03, 1);
    expect(shifted?.hi).toBeLessThan(0);
    expect(shifted?.lo).toBeGreaterThan(-0.1);
    const same = pairedP50Diff(
      drift.map((d, i) => 1.2 + d + noise(i, 3)),
      b,
    );
    expect(same?.lo).toBeLessThan(0);
    expect(same?.hi).toBeGreaterThan(0);
  });

  it("is the same for the same data (seeded), and undefined for fewer than two pairs", () => {
    const a = drift.map((d) => 1 + d);
    const b = drift.map((d, i) => 1.01 + d + noise(i, 4));
    expect(pairedP50Diff(a, b)).toEqual(pairedP50Diff(a, b));
    expect(pairedP50Diff([1], [2])).toBeUndefined();
    expect(describeDiff({ diff: -0.05, lo: -0.08, hi: -0.02, confidence: 0.95 })).toBe("-0.050 ms (95% interval -0.080 to -0.020)");
  });
});
