/** CPU time and memory of a process, from /proc (Linux). */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

let clkTck: number | undefined;
/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux nearly everywhere). */
export function clockTicks(): number {
  if (clkTck === undefined) {
    const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim();
    clkTck = Number(out) > 0 ? Number(out) : 100;
  }
  return clkTck;
}

/**
 * utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in ticks. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted after its closing parenthesis.
 */
export function parseStatTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state): field n is rest[n - 3]
  return Number(rest[11]) + Number(rest[12]);
}

/** stime (field 15) of a /proc/<pid>/stat line, in ticks: time in the kernel on the process's behalf (syscalls: sockets, epoll). */
export function parseStatSystemTicks(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[12]);
}

/** CPU time (user + system, all threads) the process has used so far, and its system (kernel) part, in ms: one read of /proc. */
function cpuTimes(pid: number): { cpuMs: number; systemMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const ms = (ticks: number) => (ticks * 1000) / clockTicks();
  return { cpuMs: ms(parseStatTicks(stat)), systemMs: ms(parseStatSystemTicks(stat)) };
}

/** CPU time (user + system, all threads) the process has used so far, in ms. */
export const cpuMs = (pid: number): number => cpuTimes(pid).cpuMs;

/**
 * CPU time of the process's live threads so far, in ms, at nanosecond resolution (the sum of
 * `/proc/<pid>/task/<tid>/schedstat`; `/proc/<pid>/stat` counts 10 ms ticks): for short spans such
 * as a start-up. Threads that already ended are not in it.
 */
export function preciseCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

export type Memory = { rssKb: number; peakKb: number };

/** VmRSS and VmHWM (peak resident set) of a /proc/<pid>/status text, in kB. */
export function parseStatusMemory(status: string): Memory {
  const kb = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? Number.NaN);
  return { rssKb: kb("VmRSS"), peakKb: kb("VmHWM") };
}

export function memory(pid: number): Memory {
  return parseStatusMemory(readFileSync(`/proc/${pid}/status`, "utf8"));
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`), so a phase reports its own peak. False when not permitted. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Busy time (all but idle and iowait) of the whole machine, from the `cpu` line of /proc/stat, in ticks. */
export function parseProcStatBusy(procStat: string): number {
  const f = (procStat.match(/^cpu\s+(.+)$/m)?.[1] ?? "").trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  return (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
}

/** CPU time of this process plus its reaped children (wrk), in ms: fields 14-17 of /proc/self/stat. */
function selfCpuMs(): number {
  const rest = readFileSync("/proc/self/stat", "utf8");
  const f = rest.slice(rest.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / clockTicks();
}

/**
 * CPU used during a phase, in cores: by the bench's own process (stand-ins, mock upstream, sequential
 * client) with wrk, and by the rest of the machine (all busy time minus the target's and the bench's).
 * The rest includes Redis, Postgres and kernel network time spent on our behalf, so it is an upper
 * bound on foreign load; a high value flags a phase disturbed by other work.
 */
export function machineMeter(pid?: number): { stop(): { benchCores: number; otherCores: number } } {
  const busy = () => (parseProcStatBusy(readFileSync("/proc/stat", "utf8")) * 1000) / clockTicks();
  const target = () => (pid ? cpuMs(pid) : 0);
  const b0 = busy();
  const s0 = selfCpuMs();
  const p0 = target();
  const t0 = performance.now();
  return {
    stop: () => {
      const wall = performance.now() - t0;
      const bench = selfCpuMs() - s0;
      return { benchCores: bench / wall, otherCores: Math.max(0, busy() - b0 - bench - (target() - p0)) / wall };
    },
  };
}

/** CPU time of a process over a phase: `const m = cpuMeter(pid); ...; m.stop()` → ms used in between, of which `systemMs` in the kernel. */
export function cpuMeter(pid: number): { stop(): { cpuMs: number; systemMs: number; wallMs: number } } {
  const start = cpuTimes(pid);
  const t0 = performance.now();
  return {
    stop: () => {
      const end = cpuTimes(pid);
      return { cpuMs: end.cpuMs - start.cpuMs, systemMs: end.systemMs - start.systemMs, wallMs: performance.now() - t0 };
    },
  };
}

export type RedisTimes = { cpuUs: number; scriptUs: number };

/**
 * From `INFO cpu commandstats`: the Redis server's CPU time so far (`used_cpu_user` +
 * `used_cpu_sys`: commands, scripts, its network I/O), and the time its scripts ran (`usec` of
 * EVAL and EVALSHA, read-only variants included; commands a script calls count inside it), in µs.
 * What a Redis instance spends per request is what sizes it: scripts run on its one main thread.
 */
export function parseRedisTimes(info: string): RedisTimes {
  const field = (name: string) => Number(info.match(new RegExp(`^${name}:([\\d.]+)`, "m"))?.[1] ?? Number.NaN);
  let scriptUs = 0;
  for (const m of info.matchAll(/^cmdstat_(?:eval|evalsha|eval_ro|evalsha_ro):.*?\busec=(\d+)/gm)) scriptUs += Number(m[1]);
  return { cpuUs: Math.round((field("used_cpu_user") + field("used_cpu_sys")) * 1e6), scriptUs };
}

/** Cores to pin to: the gateway on one, the load generator and the stand-ins on another; none when taskset or a second core is missing. */
export function pinning(cores: number): { gateway?: string; load?: string; description: string } {
  const taskset = spawnSync("taskset", ["--version"], { stdio: "ignore" }).error === undefined;
  if (!taskset) return { description: "not pinned (taskset not found)" };
  if (cores < 2) return { description: "not pinned (one core)" };
  return {
    gateway: "0",
    load: cores > 2 ? `1-${cores - 1}` : "1",
    description: `gateway process (workerd, floor, peer) on core 0; load generator, stand-ins and mock upstream (the bench's Node process) on core${cores > 2 ? `s 1-${cores - 1}` : " 1"}`,
  };
}

/** Pins every thread of this process to `cpus` (`taskset -a -p -c`). */
export function pinSelf(cpus: string): boolean {
  return spawnSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" }).status === 0;
}

/** Waits (bounded by `maxMs`) until the rest of the machine uses less than `cores` for a whole second; false on timeout. */
export async function untilQuiet(maxMs: number, cores: number): Promise<boolean> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const m = machineMeter();
    await new Promise((r) => setTimeout(r, 1000));
    if (m.stop().otherCores < cores) return true;
  }
  return false;
}
