import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RoundRun, type Rounds, roundValues } from "../../bench/round-values";
import { pairedLatency } from "../../bench/rounds";
import type { TargetId } from "../../bench/scenarios";
import { median } from "../../bench/stats";

describe("median", () => {
  it("is the middle value, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe("round values", () => {
  const rounds: Rounds = {
    runs: [
      [
        { target: "edgeway", rps: 1000, cpuMsPerReq: 0.8 },
        { target: "portkey", rps: 500, cpuMsPerReq: 1.5 },
        { target: "floor", rps: 8000, cpuMsPerReq: 0.12 },
      ],
      // a slow spell: every target slower, the ratio barely moves
      [
        { target: "edgeway", rps: 600, cpuMsPerReq: 1.2 },
        { target: "portkey", rps: 310, cpuMsPerReq: 2.2 },
        { target: "floor", rps: 5000, cpuMsPerReq: 0.15 },
      ],
      [
        { target: "edgeway", rps: 1100, cpuMsPerReq: 0.7 },
        { target: "portkey", rps: 520, cpuMsPerReq: 1.4 },
      ],
    ],
    dropped: [],
    c1: { json: { pairs: 100, direct: 0.2, edgeway: 1.1 }, stream: { pairs: 100, direct: 0.25, edgeway: 1.4 } },
  };

  it("takes medians over the rounds, and the median of each round's ratio", () => {
    const v = roundValues(rounds);
    expect(v.rps).toBe(1000);
    expect(v.cpu_ms_per_req).toBe(0.8);
    expect(v.portkey_cpu_ms_per_req).toBe(1.5);
    // per-round ratios 2.0, 1.935…, 2.115…: the median is 2.0, where the ratio of medians would be 1000/500 too, by luck
    expect(v.rps_ratio_vs_portkey).toBeCloseTo(2.0, 6);
    // floor ran in two rounds only: the median of its two ratios
    expect(v.rps_ratio_vs_floor).toBeCloseTo((1000 / 8000 + 600 / 5000) / 2, 6);
    expect(v.floor_cpu_ms_per_req).toBeCloseTo(0.135, 6);
    // CPU in floors, per round (6.67 and 8.0), then the median: the slow spell moves it less than the CPU itself
    expect(v.cpu_ratio_vs_floor).toBeCloseTo((0.8 / 0.12 + 1.2 / 0.15) / 2, 6);
    expect(v.portkey_cpu_ratio_vs_floor).toBeCloseTo((1.5 / 0.12 + 2.2 / 0.15) / 2, 6);
    expect(v.added_p50_ms).toBeCloseTo(0.9, 6);
    expect(v.ttfb_added_ms).toBeCloseTo(1.15, 6);
    expect(v.rounds).toBe(3);
    expect("system_cpu_pct" in v).toBe(false); // no kernel time measured
  });

  const run = (target: TargetId, rps: number, cpuMsPerReq: number): RoundRun => ({ target, rps, cpuMsPerReq });

  it("measures the stack floor against Portkey and Edgeway against the stack floor, and its added latency", () => {
    const v = roundValues({
      runs: [
        [run("stack-floor", 3000, 0.3), run("edgeway", 1000, 0.75), run("portkey", 800, 1.1)],
        [run("stack-floor", 2000, 0.4), run("edgeway", 900, 0.8), run("portkey", 500, 1.6)],
      ],
      dropped: [],
      c1: { json: { pairs: 10, direct: 0.2, edgeway: 1.1, stackFloor: 0.9 }, stream: { pairs: 10, direct: 0.3, edgeway: 1.5 } },
    });
    expect(v.stack_floor_cpu_ms_per_req).toBeCloseTo(0.35, 6);
    expect(v.stack_floor_rps_ratio_vs_portkey).toBeCloseTo((3000 / 800 + 2000 / 500) / 2, 6);
    expect(v.cpu_ratio_vs_stack_floor).toBeCloseTo((0.75 / 0.3 + 0.8 / 0.4) / 2, 6);
    expect(v.stack_floor_added_p50_ms).toBeCloseTo(0.7, 6);
    expect("stack_floor_ttfb_added_ms" in v).toBe(false); // not in the stream turns
  });

  it("takes the kernel's share of each target's CPU per round, and its median", () => {
    const v = roundValues({
      runs: [
        [
          { target: "edgeway", rps: 1000, cpuMsPerReq: 0.8, systemMsPerReq: 0.4 },
          { target: "portkey", rps: 500, cpuMsPerReq: 1.6, systemMsPerReq: 0.4 },
        ],
        [
          { target: "edgeway", rps: 900, cpuMsPerReq: 1.0, systemMsPerReq: 0.6 },
          { target: "floor", rps: 8000, cpuMsPerReq: 0.2, systemMsPerReq: 0.15 },
        ],
        [{ target: "edgeway", rps: 950, cpuMsPerReq: 0.9, systemMsPerReq: 0.45 }],
      ],
      dropped: [],
    });
    expect(v.system_cpu_pct).toBeCloseTo(50, 6); // 50%, 60%, 50%
    expect(v.floor_system_cpu_pct).toBeCloseTo(75, 6);
    expect(v.portkey_system_cpu_pct).toBeCloseTo(25, 6);
  });

  it("compares this tree with BENCH_BASELINE's revision by the median of per-round CPU ratios", () => {
    const v = roundValues({
      runs: [
        [
          { target: "edgeway", rps: 1000, cpuMsPerReq: 0.6 },
          { target: "baseline", rps: 900, cpuMsPerReq: 0.75 },
        ],
        [
          { target: "edgeway", rps: 700, cpuMsPerReq: 0.9 },
          { target: "baseline", rps: 600, cpuMsPerReq: 1.0 },
          { target: "edgeway-proxy", rps: 1500, cpuMsPerReq: 0.5 },
          { target: "baseline-proxy", rps: 1500, cpuMsPerReq: 0.5 },
        ],
        [
          { target: "edgeway", rps: 1000, cpuMsPerReq: 0.7 },
          { target: "baseline", rps: 1000, cpuMsPerReq: 0.7 },
        ],
      ],
      dropped: [],
      c1: {
        json: { pairs: 10, direct: 0.2, edgeway: 1.0, baseline: 1.3, vsBaseline: { diff: -0.3, lo: -0.4, hi: -0.2, confidence: 0.95 } },
      },
    });
    expect([v.p50_vs_baseline_ms, v.p50_vs_baseline_lo_ms, v.p50_vs_baseline_hi_ms]).toEqual([-0.3, -0.4, -0.2]);
    expect("ttfb_vs_baseline_ms" in v).toBe(false);
    expect(v.cpu_ratio_vs_baseline).toBeCloseTo(0.9, 6); // rounds: 0.8, 0.9, 1.0
    expect(v.proxy_cpu_ratio_vs_baseline).toBe(1);
    expect(v.baseline_added_p50_ms).toBeCloseTo(1.1, 6);
    expect(v.added_p50_ms).toBeCloseTo(0.8, 6);
    expect("baseline_ttfb_added_ms" in v).toBe(false);
  });

  it("leaves out what the rounds did not measure, so the single phases' values stand", () => {
    const v = roundValues({ runs: [[{ target: "edgeway", rps: 900 }]], dropped: [] });
    expect(v).toEqual({ rps: 900, rounds: 1 });
  });
});

describe("paired latency", () => {
  const servers: Server[] = [];
  const urls: string[] = [];
  let slowCalls = 0;
  beforeAll(async () => {
    for (const delayMs of [0, 8]) {
      const server = createServer((req, res) => {
        if (delayMs) slowCalls++;
        req.resume();
        req.on("end", () =>
          setTimeout(() => {
            res.writeHead(slowCalls === 3 && delayMs ? 500 : 200, { "content-type": "application/json" });
            res.end('{"choices":[]}');
          }, delayMs),
        );
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it("alternates the two sides and reports each side's p50, leaving out a pair where one side failed", async () => {
    const spec = (url: string) => ({ url, path: "/v1/chat/completions", headers: {}, body: "{}" });
    const r = await pairedLatency({ direct: spec(urls[0] as string), edgeway: spec(urls[1] as string) }, "json", {
      pairs: 10,
      maxMs: 10_000,
    });
    expect(slowCalls).toBe(10);
    expect(r?.pairs).toBe(9); // the third call to the slow side answered 500
    expect(r?.direct).toBeLessThan(8);
    expect(r?.edgeway).toBeGreaterThanOrEqual(8);
    expect(r?.vsBaseline).toBeUndefined();
  });

  it("with a baseline, gives Edgeway's p50 minus the baseline's with an interval over the turns", async () => {
    const spec = (url: string) => ({ url, path: "/v1/chat/completions", headers: {}, body: "{}" });
    const [fast, slow] = [spec(urls[0] as string), spec(urls[1] as string)];
    const r = await pairedLatency({ direct: fast, edgeway: fast, baseline: slow }, "json", { pairs: 12, maxMs: 10_000 });
    expect(r?.pairs).toBe(12);
    const d = r?.vsBaseline;
    expect(d?.diff).toBeCloseTo((r?.edgeway ?? 0) - (r?.baseline ?? 0), 9);
    // the baseline waits 8 ms per answer: the whole interval lies well below 0 (by at least half of that)
    expect(d?.hi).toBeLessThan(-4);
    expect(d?.lo).toBeLessThanOrEqual(d?.diff ?? 0);
  });

  it("with a stack floor, reports its p50 too, in the same turns", async () => {
    const spec = (url: string) => ({ url, path: "/v1/chat/completions", headers: {}, body: "{}" });
    const [fast, slow] = [spec(urls[0] as string), spec(urls[1] as string)];
    const r = await pairedLatency({ direct: fast, edgeway: fast, stackFloor: slow }, "json", { pairs: 6, maxMs: 10_000 });
    expect(r?.pairs).toBe(6);
    expect(r?.edgeway).toBeLessThan(8);
    expect(r?.stackFloor).toBeGreaterThanOrEqual(8);
    expect(r?.baseline).toBeUndefined();
    expect(r?.vsBaseline).toBeUndefined();
  });
});
