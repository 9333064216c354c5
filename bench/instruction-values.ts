/** The values `npm run bench:instructions` reports, from its measured rows (pure; tested in test/local). */
import { median, ratio } from "./stats";

export type InstructionTarget =
  | "floor"
  | "io-floor"
  | "stack-floor"
  | "edgeway"
  | "edgeway-proxy"
  | "baseline"
  | "baseline-proxy"
  | "portkey";

export type InstructionRow = {
  target: InstructionTarget;
  mode: "json" | "stream";
  /** Requests sent in each measured run. */
  requests: number[];
  /** Instructions per request of each measured run (all of the process's threads). */
  irPerReq: number[];
  /** Postgres statements and Redis round trips per request during the runs (config and key refreshes show here). */
  pgPerReq: number;
  redisRtPerReq: number;
};

/** The row's figure: the median of its runs. */
export const irOf = (row: InstructionRow | undefined) => (row && row.irPerReq.length > 0 ? median(row.irPerReq) : undefined);

/** The largest difference between a row's runs, relative to its median, in %. */
export function spreadPct(row: InstructionRow): number {
  const m = irOf(row);
  if (!m) return 0;
  return (100 * (Math.max(...row.irPerReq) - Math.min(...row.irPerReq))) / m;
}

/** The summary line's values; absent inputs leave their keys out. */
export function instructionSummary(rows: InstructionRow[]): Record<string, number> {
  const find = (target: InstructionTarget, mode: "json" | "stream" = "json") =>
    irOf(rows.find((r) => r.target === target && r.mode === mode));
  const full = find("edgeway");
  const proxy = find("edgeway-proxy");
  const floor = find("floor");
  const ioFloor = find("io-floor");
  const stackFloor = find("stack-floor");
  const values: Record<string, number | undefined> = {
    ir_per_req: full,
    proxy_ir_per_req: proxy,
    stream_ir_per_req: find("edgeway", "stream"),
    floor_ir_per_req: floor,
    io_floor_ir_per_req: ioFloor,
    stack_floor_ir_per_req: stackFloor,
    ir_ratio_vs_floor: ratio(full, floor),
    ir_ratio_vs_io_floor: ratio(full, ioFloor),
    proxy_ir_ratio_vs_io_floor: ratio(proxy, ioFloor),
    ir_ratio_vs_stack_floor: ratio(full, stackFloor),
    ir_ratio_vs_baseline: ratio(full, find("baseline")),
    proxy_ir_ratio_vs_baseline: ratio(proxy, find("baseline-proxy")),
    portkey_ir_per_req: find("portkey"),
    // Portkey's instructions ÷ Edgeway's: the throughput ratio a CPU-bound run would show (target ≥ 3)
    ir_speedup_vs_portkey: ratio(find("portkey"), full),
    proxy_ir_speedup_vs_portkey: ratio(find("portkey"), proxy),
    // the same for the stack floor: the most a gateway on this stack could show
    stack_floor_ir_speedup_vs_portkey: ratio(find("portkey"), stackFloor),
    max_spread_pct: rows.length > 0 ? Math.max(...rows.map(spreadPct)) : undefined,
  };
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, number] => e[1] !== undefined));
}

/** `summary: k=v ...`, instructions as integers, ratios and percentages with 3 decimals. */
export function instructionSummaryLine(values: Record<string, number>): string {
  const fmt = (k: string, v: number) => (k.endsWith("_ir_per_req") || k === "ir_per_req" ? Math.round(v).toString() : v.toFixed(3));
  return `summary: ${Object.entries(values)
    .map(([k, v]) => `${k}=${fmt(k, v)}`)
    .join(" ")}`;
}
