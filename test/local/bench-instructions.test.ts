import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callgrindWrap, dumpsOf, instructionCounter, parseCallgrindTotal, valgrindAvailable } from "../../bench/callgrind";
import { type InstructionRow, instructionSummary, instructionSummaryLine, spreadPct } from "../../bench/instruction-values";
import { slowClockModules, startWorkerd, type Workerd } from "../../bench/workerd";

describe("callgrind dumps", () => {
  it("reads the instruction total from the summary line (or totals)", () => {
    const dump = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 77\nevents: Ir\nsummary: 21881096\n\nfn=(1) main\n0 12\n";
    expect(parseCallgrindTotal(dump)).toBe(21_881_096);
    expect(parseCallgrindTotal("events: Ir\ntotals: 500\n")).toBe(500);
    expect(() => parseCallgrindTotal("events: Ir\n")).toThrow("callgrind dump without a summary line");
  });

  it("orders a process's numbered dumps by number and ignores other files", () => {
    const names = ["gw.callgrind.10", "gw.callgrind.9", "gw.callgrind", "other.callgrind.3", "gw.callgrind.2", "gw.callgrind.x"];
    expect(dumpsOf("/tmp/run/gw.callgrind", names)).toEqual(["gw.callgrind.2", "gw.callgrind.9", "gw.callgrind.10"]);
  });
});

describe("instruction values", () => {
  const row = (target: InstructionRow["target"], irPerReq: number[], mode: InstructionRow["mode"] = "json"): InstructionRow => ({
    target,
    mode,
    requests: irPerReq.map(() => 100),
    irPerReq,
    pgPerReq: 0,
    redisRtPerReq: 1,
  });

  it("takes each row's median, and ratios against the floors and the baseline", () => {
    const rows = [
      row("floor", [380_000, 381_000, 379_000]),
      row("io-floor", [610_000, 612_000, 611_000]),
      row("stack-floor", [700_000, 720_000, 710_000]),
      row("portkey", [3_900_000, 3_900_000, 3_900_000]),
      row("edgeway", [2_600_000, 2_650_000, 2_700_000]),
      row("edgeway-proxy", [1_900_000, 1_950_000, 2_000_000]),
      row("edgeway", [4_000_000], "stream"),
      row("baseline", [2_500_000, 2_500_000, 2_500_000]),
      row("baseline-proxy", [2_000_000, 1_950_000, 1_900_000]),
    ];
    const s = instructionSummary(rows);
    expect(s).toEqual({
      ir_per_req: 2_650_000,
      proxy_ir_per_req: 1_950_000,
      stream_ir_per_req: 4_000_000,
      floor_ir_per_req: 380_000,
      io_floor_ir_per_req: 611_000,
      stack_floor_ir_per_req: 710_000,
      ir_ratio_vs_floor: 2_650_000 / 380_000,
      ir_ratio_vs_io_floor: 2_650_000 / 611_000,
      proxy_ir_ratio_vs_io_floor: 1_950_000 / 611_000,
      ir_ratio_vs_stack_floor: 2_650_000 / 710_000,
      ir_ratio_vs_baseline: 1.06,
      proxy_ir_ratio_vs_baseline: 1,
      portkey_ir_per_req: 3_900_000,
      ir_speedup_vs_portkey: 3_900_000 / 2_650_000,
      proxy_ir_speedup_vs_portkey: 3_900_000 / 1_950_000,
      stack_floor_ir_speedup_vs_portkey: 3_900_000 / 710_000,
      // the widest: the proxy rows, 100,000 apart around 1,950,000
      max_spread_pct: (100 * 100_000) / 1_950_000,
    });
    expect(instructionSummaryLine({ ir_per_req: 2_650_000.4, ir_ratio_vs_floor: 6.97368, max_spread_pct: 3.7736 })).toBe(
      "summary: ir_per_req=2650000 ir_ratio_vs_floor=6.974 max_spread_pct=3.774",
    );
  });

  it("leaves out what was not measured", () => {
    expect(instructionSummary([row("edgeway", [2_000_000])])).toEqual({ ir_per_req: 2_000_000, max_spread_pct: 0 });
    expect(instructionSummary([])).toEqual({});
    expect(spreadPct(row("floor", [100, 110, 90]))).toBe(20);
  });
});

describe("the slowed clock of a measured process", () => {
  it("slows Date.now() and stretches timers by the factor, from the moment it loads", () => {
    let real = 1_000_000;
    const delays: number[] = [];
    const fakeDate = { now: () => real };
    const sandbox = { Date: fakeDate, globalThis: {} as Record<string, unknown> };
    sandbox.globalThis.setTimeout = (_fn: () => void, ms: number) => delays.push(ms);
    runInNewContext(slowClockModules("index.js", 100).clock, sandbox);
    real += 250_000;
    expect(fakeDate.now()).toBe(1_002_500);
    (sandbox.globalThis.setTimeout as (fn: () => void, ms?: number) => void)(() => {}, 4);
    (sandbox.globalThis.setTimeout as (fn: () => void, ms?: number) => void)(() => {});
    expect(delays).toEqual([400, 0]);
  });

  it("re-exports the Worker's default export after installing the clock", () => {
    expect(slowClockModules("floor.js", 50).main("floor-copy-clock.js")).toBe(
      'import "./floor-copy-clock.js";\nexport { default } from "./floor.js";\n',
    );
  });
});

// A real workerd under valgrind: the count grows with the requests, and repeats.
describe("instructions of a Worker under callgrind", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeway-callgrind-"));
  const outFile = join(dir, "w.callgrind");
  let worker: Workerd;

  beforeAll(async () => {
    if (!valgrindAvailable()) throw new Error("this test needs valgrind (with callgrind_control): apt-get install valgrind");
    writeFileSync(join(dir, "w.js"), 'export default { fetch: (r) => new Response("ok " + new URL(r.url).pathname) };\n');
    worker = await startWorkerd({
      name: "w",
      dir,
      wrap: callgrindWrap(outFile),
      timeoutMs: 120_000,
      config: { modules: ["w.js"], compatibilityDate: "2026-04-26", compatibilityFlags: [], bindings: {} },
    });
  }, 150_000);
  afterAll(async () => {
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts nothing until switched on, then about twice the instructions for twice the requests, the same for the same", async () => {
    const counter = instructionCounter(worker.pid, outFile);
    const requests = async (n: number) => {
      for (let i = 0; i < n; i++) expect(await (await fetch(`${worker.url}/r${i % 10}`)).text()).toBe(`ok /r${i % 10}`);
    };
    await requests(30); // warm-up, not counted: counting starts off
    await counter.zero();
    await requests(10);
    expect(await counter.read()).toBe(0);
    await counter.instrument(true);
    const measure = async (n: number) => {
      await counter.zero();
      await requests(n);
      return counter.read();
    };
    const a = await measure(40);
    const b = await measure(40);
    const c = await measure(80);
    expect(a / 40).toBeGreaterThan(20_000);
    // usually within 1%; the bounds leave room for a GC that lands in one run (bench/README.md)
    expect(Math.abs(a - b) / a).toBeLessThan(0.25);
    expect(c / a).toBeGreaterThan(1.5);
    expect(c / a).toBeLessThan(2.5);
  }, 120_000);
});
