/**
 * The Worker under raw workerd: bundle it with esbuild, write a capnp config (one worker, one
 * loopback http socket, a network service allowing local addresses), run `workerd serve`.
 * No wrangler, no Miniflare: nothing sits between the load generator and the Worker.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { preciseCpuMs } from "./metrics";

export const WORKERD_BIN = "node_modules/@cloudflare/workerd-linux-64/bin/workerd";

export type WranglerSettings = { compatibilityDate: string; compatibilityFlags: string[]; vars: Record<string, string> };

/** The few wrangler.toml keys the runtime needs: compatibility date and flags, and `[vars]`. */
export function parseWranglerToml(text: string): WranglerSettings {
  const out: WranglerSettings = { compatibilityDate: "", compatibilityFlags: [], vars: {} };
  let table = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = line.match(/^\[+([^\]]+)\]+$/);
    if (header) {
      table = (header[1] as string).trim();
      continue;
    }
    const kv = line.match(/^([A-Za-z0-9_-]+)\s*=\s*(.+)$/);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (table === "" && key === "compatibility_date") out.compatibilityDate = JSON.parse(value);
    else if (table === "" && key === "compatibility_flags") out.compatibilityFlags = JSON.parse(value);
    else if (table === "vars") out.vars[key] = String(JSON.parse(value));
  }
  if (!out.compatibilityDate) throw new Error("wrangler.toml: no compatibility_date");
  return out;
}

export type Bundle = { dir: string; file: string; bytes: number; gzipBytes: number };

/** Bundles `entry` like `wrangler deploy` does (ESM, workerd/worker/browser conditions), unminified, into `dir/name`. */
export async function bundleWorker(entry: string, dir: string, name = "index.js"): Promise<Bundle> {
  const { build, stop } = await import("esbuild");
  const file = join(dir, name);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["workerd", "worker", "browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    logLevel: "error",
  });
  await stop(); // the esbuild service process is not needed after this
  const code = readFileSync(file);
  return { dir, file, bytes: code.length, gzipBytes: gzipSync(code).length };
}

/** A trivial pass-through Worker: the floor of what any Worker costs in this runtime. */
export const FLOOR_WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, {
      method: request.method, headers: request.headers, body: request.body,
    });
    return new Response(upstream.body, upstream);
  },
};
`;

/**
 * The floor with the gateway's I/O shape: one Redis REST call before the upstream call, like the
 * preflight (postflights ride along the next preflight or share a pipeline, so under load they
 * cost no round trip of their own), with no gateway logic. What any gateway of this design costs
 * in this runtime before its own JavaScript.
 */
export const IO_FLOOR_WORKER = `export default {
  async fetch(request, env) {
    const redis = () => fetch(env.REDIS_URL, {
      method: "POST",
      headers: { authorization: "Bearer " + env.REDIS_TOKEN, "content-type": "application/json" },
      body: JSON.stringify(["GET", env.REDIS_KEY]),
    }).then((r) => r.json());
    await redis();
    const url = new URL(request.url);
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, {
      method: request.method, headers: request.headers, body: request.body,
    });
    return new Response(upstream.body, upstream);
  },
};
`;

/**
 * Wraps the bundle so `POST /__scheduled` runs its scheduled handler (raw workerd has no cron);
 * used only by a separate, unmeasured process that flushes the usage stream between phases.
 */
export const CRON_WRAPPER = `import worker from "./index.js";
export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== "/__scheduled") return new Response("not found", { status: 404 });
    await worker.scheduled({ cron: "* * * * *", scheduledTime: Date.now(), noRetry() {} }, env, ctx);
    return new Response("ok");
  },
};
`;

/**
 * The modules that run `main` with its `Date.now()` slowed `factor` times and its timers stretched
 * `timerFactor` times: under valgrind a process runs about 100× slower, so its per-second work
 * (refreshing config and key records every 1-5 s) would land on 100× fewer requests than at full
 * speed, and its batching windows (4 ms for postflights) would gather 100× fewer requests.
 * `performance.now()` (latency figures) is left alone. `main(clock)` is the entry module, given
 * the file name the clock module is written under.
 */
export function slowClockModules(main: string, factor: number, timerFactor = factor): { clock: string; main: (clock: string) => string } {
  return {
    clock: `const realNow = Date.now;
const realSetTimeout = globalThis.setTimeout;
const t0 = realNow();
Date.now = () => t0 + Math.floor((realNow() - t0) / ${Number(factor)});
globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, (Number(ms) || 0) * ${Number(timerFactor)}, ...args);
`,
    // the clock's module is evaluated first (imports run in order), then the Worker's
    main: (clock) => `import ${JSON.stringify(`./${clock}`)};
export { default } from ${JSON.stringify(`./${main}`)};
`,
  };
}

export type WorkerdConfig = {
  /** Module files (names relative to the config file); the first is the main module. */
  modules: string[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: Record<string, string>;
  /** `host:port`; port 0 = ephemeral (reported on the control fd). */
  address: string;
};

/** A capnp string literal; control characters are refused rather than guessed at. */
export function capnpString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) throw new Error("capnp: control characters in a binding value");
  }
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The workerd config: the worker, one http socket, and an outbound network allowing loopback. */
export function workerdConfig(c: WorkerdConfig): string {
  const list = (items: string[]) => items.map((i) => `    ${i},`).join("\n");
  const modules = c.modules.map((m) => `(name = ${capnpString(m)}, esModule = embed ${capnpString(m)})`);
  const bindings = Object.entries(c.bindings).map(([k, v]) => `(name = ${capnpString(k)}, text = ${capnpString(v)})`);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = ${capnpString(c.address)}, http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
${list(modules)}
  ],
  compatibilityDate = ${capnpString(c.compatibilityDate)},
  compatibilityFlags = [${c.compatibilityFlags.map(capnpString).join(", ")}],
  bindings = [
${list(bindings)}
  ],
  globalOutbound = "internet",
);
`;
}

/** How a runtime process started: from spawn until it listened (its Workers' scripts compiled and their global scopes run). */
export type Startup = { wallMs: number; cpuMs: number };

export type Workerd = {
  name: string;
  url: string;
  pid: number;
  /** The process's stdout and stderr (the Worker's console output). */
  logFile: string;
  startup: Startup;
  stop(): Promise<void>;
};

export type StartWorkerdOptions = {
  name: string;
  dir: string;
  config: Omit<WorkerdConfig, "address">;
  /** CPU list for `taskset -c` (e.g. "0"); undefined = not pinned. */
  cpus?: string | undefined;
  timeoutMs?: number;
  /** `host:port` for the V8 inspector (CPU profiles: `npm run bench:profile`); off when undefined. */
  inspector?: string | undefined;
  /** A command the runtime runs under (e.g. valgrind's, `npm run bench:instructions`). */
  wrap?: string[] | undefined;
};

/** Writes `<dir>/<name>.capnp` and runs `workerd serve` on an ephemeral loopback port. */
export async function startWorkerd(opts: StartWorkerdOptions): Promise<Workerd> {
  const configFile = join(opts.dir, `${opts.name}.capnp`);
  writeFileSync(configFile, workerdConfig({ ...opts.config, address: "127.0.0.1:0" }));
  const bin = fileURLToPath(new URL(`../${WORKERD_BIN}`, import.meta.url));
  const args = ["serve", configFile, "--control-fd=3", ...(opts.inspector ? [`--inspector-addr=${opts.inspector}`] : [])];
  const command = [...(opts.wrap ?? []), bin, ...args];
  const [cmd, ...argv] = opts.cpus ? ["taskset", "-c", opts.cpus, ...command] : command;
  const logFile = join(opts.dir, `${opts.name}.log`);
  const log = openSync(logFile, "a");
  const t0 = performance.now();
  const child = spawn(cmd as string, argv, { cwd: opts.dir, stdio: ["ignore", log, log, "pipe"] });
  closeSync(log);
  const port = await listenPort(child, opts.timeoutMs ?? 15_000, logFile);
  const startup = { wallMs: performance.now() - t0, cpuMs: preciseCpuMs(child.pid as number) };
  return {
    name: opts.name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    logFile,
    startup,
    stop: () => stopChild(child),
  };
}

/** The last `bytes` of a file (a log's tail), or "" when it cannot be read. */
export function tail(file: string, bytes = 4096): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(bytes, size));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

export type LogScan = { errors: number; warnings: number; top: Array<{ level: "error" | "warn"; message: string; count: number }> };

/** The message of a log line: a JSON line's `msg` and error, or the runtime's own text, shortened. */
function messageOf(line: string): string {
  if (line.startsWith("{")) {
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      const err = [j.error, j.redisError, j.dbError].find((e) => typeof e === "string") as string | undefined;
      return `${String(j.msg ?? "")}${err ? ` (${err.slice(0, 110)})` : ""}`;
    } catch {
      // not JSON after all
    }
  }
  const i = line.lastIndexOf("Error: ");
  return (i >= 0 ? line.slice(i) : line).slice(0, 140);
}

const CLIENT_GONE = /disconnected: ::(write|read)|Connection reset by peer|Broken pipe/;

/**
 * Counts the error and warning lines a Worker logged (JSON lines with a level, the runtime's
 * "error:"/"Warning:" lines) and the most frequent messages; a client that went away is not counted.
 */
export function scanLog(text: string): LogScan {
  const counts = new Map<string, { level: "error" | "warn"; message: string; count: number }>();
  let errors = 0;
  let warnings = 0;
  for (const line of text.split("\n")) {
    // the load generator closing its connections at the end of a phase: expected, not the Worker's doing
    if (CLIENT_GONE.test(line)) continue;
    const level = /"level":"error"|: error: |^Uncaught/.test(line) ? "error" : /"level":"warn"|^Warning: /.test(line) ? "warn" : undefined;
    if (!level) continue;
    if (level === "error") errors++;
    else warnings++;
    const message = messageOf(line);
    const entry = counts.get(`${level}:${message}`) ?? { level, message, count: 0 };
    entry.count++;
    counts.set(`${level}:${message}`, entry);
  }
  const top = [...counts.values()].sort((a, b) => (a.level === b.level ? b.count - a.count : a.level === "error" ? -1 : 1)).slice(0, 4);
  return { errors, warnings, top };
}

function listenPort(child: ChildProcess, timeoutMs: number, logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`workerd: ${why}\n${tail(logFile, 2000)}`));
    };
    const timer = setTimeout(() => fail(`no listen event within ${timeoutMs} ms`), timeoutMs);
    child.once("exit", (code) => fail(`exited with ${code} before listening`));
    let buf = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split("\n")) {
        const m = line.match(/"event":"listen".*"port":(\d+)/);
        if (m) {
          clearTimeout(timer);
          child.removeAllListeners("exit");
          resolve(Number(m[1]));
          return;
        }
      }
    });
  });
}

/** SIGTERM, then SIGKILL after 2 s; resolves when the process is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
