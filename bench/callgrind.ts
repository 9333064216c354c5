/**
 * Instruction counts of a process under valgrind's callgrind. A tiny Worker's repeat to about 0.1%
 * whatever else the machine is doing, where CPU time on a shared machine moves by 10-30% between
 * runs; a JIT-compiled, garbage-collected gateway's move by 5-12% per run (bench/README.md).
 * `npm run bench:instructions` uses them to compare Workers.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Whether valgrind (with callgrind_control) is on PATH. */
export const valgrindAvailable = () =>
  spawnSync("valgrind", ["--version"], { stdio: "ignore" }).error === undefined &&
  spawnSync("callgrind_control", ["-h"], { stdio: "ignore" }).error === undefined;

/**
 * The command prefix that runs a program under callgrind, its dumps going to `outFile.<n>`, with
 * counting off until `instrument(true)` (a warm-up runs several times faster uninstrumented).
 * `--smc-check=all-non-file`: V8 writes and rewrites machine code in anonymous memory (its JIT).
 */
export const callgrindWrap = (outFile: string) => [
  "valgrind",
  "--tool=callgrind",
  `--callgrind-out-file=${outFile}`,
  "--smc-check=all-non-file",
  "--instr-atstart=no",
];

/**
 * The instructions (event `Ir`) a callgrind dump counted: its `summary:` line (`totals:` in some
 * versions). @throws Error when the dump has neither.
 */
export function parseCallgrindTotal(text: string): number {
  const line = text.match(/^(?:summary|totals):\s*(\d+)/m);
  if (!line) throw new Error("callgrind dump without a summary line");
  return Number(line[1]);
}

/** The numbered dumps of `outFile` (`outFile.1`, `outFile.2`, ...), highest number last. */
export function dumpsOf(outFile: string, names: string[]): string[] {
  const base = basename(outFile);
  return names
    .map((n) => ({ n, i: n.startsWith(`${base}.`) ? Number(n.slice(base.length + 1)) : Number.NaN }))
    .filter((d) => Number.isInteger(d.i))
    .sort((a, b) => a.i - b.i)
    .map((d) => d.n);
}

function control(flag: "-z" | "-d" | "--instr=on" | "--instr=off", pid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("callgrind_control", [flag, String(pid)], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`callgrind_control ${flag} ${pid}: ${code} ${err.trim()}`))));
  });
}

/** Zeroes and reads the instruction counter of a process running under `callgrindWrap(outFile)`. */
export function instructionCounter(pid: number, outFile: string) {
  const dir = dirname(outFile);
  const dumps = () => dumpsOf(outFile, readdirSync(dir));
  return {
    /** Turns counting on or off (off at start: `callgrindWrap`). */
    instrument: (on: boolean) => control(on ? "--instr=on" : "--instr=off", pid),
    /** Counts from now on. */
    zero: () => control("-z", pid),
    /** Instructions since the last `zero` (all threads), from a fresh dump. */
    async read(timeoutMs = 60_000): Promise<number> {
      const before = dumps().length;
      await control("-d", pid);
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const all = dumps();
        const last = all.at(-1);
        if (all.length > before && last) {
          const file = join(dir, last);
          const size = statSync(file).size;
          await sleep(100);
          // written in one go, but read it only once it stopped growing
          if (size > 0 && statSync(file).size === size) return parseCallgrindTotal(readFileSync(file, "utf8"));
        } else await sleep(100);
      }
      throw new Error(`no callgrind dump from ${pid} within ${timeoutMs} ms`);
    },
  };
}
