/**
 * Load generators: wrk (Debian's, pinned to the load core) with a generated Lua script; a Node
 * fallback of the same shape when wrk is missing; and a sequential client for concurrency-1
 * percentiles and time to first byte.
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { correctLikeWrk, expectedInterval, type LatencySummary, summarize } from "./stats";

/** In a body, replaced per request by a unique id and six random words: no exact or semantic match with another request. */
export const UNIQUE = "%UNIQUE%";
/** In a body, `%{a|b|c}%` is replaced per request by one of the options, drawn at random. */
export const choice = (options: readonly string[]) => `%{${options.join("|")}}%`;
const MARKERS = /(%UNIQUE%|%\{[^}]*\}%)/;

type Segment = { text: string } | { unique: true } | { options: string[] };

/** A body template split into literal text, UNIQUE markers and choices. */
export function segments(body: string): Segment[] {
  return body
    .split(MARKERS)
    .filter((p) => p !== "")
    .map((p) =>
      p === UNIQUE
        ? { unique: true as const }
        : p.startsWith("%{") && p.endsWith("}%")
          ? { options: p.slice(2, -2).split("|") }
          : { text: p },
    );
}

/** Words the UNIQUE marker draws from. */
export const WORDS =
  "amber basalt cobalt delta ember fjord garnet harbor indigo juniper kelp lantern meadow nickel onyx prairie quartz " +
  "raven saffron tundra umber violet willow xenon yarrow zephyr acorn bramble cinder dune estuary falcon glacier heron " +
  "iris jasper kestrel lichen marble nectar orchid pebble quill reef sierra thistle urchin valley walnut yucca zinnia " +
  "anchor beacon canyon drizzle eclipse fern grove hollow ivory jetty knoll lagoon";
const WORD_LIST = WORDS.split(" ");

export type RequestSpec = { url: string; path: string; headers: Record<string, string>; body: string };

export type LoadResult = {
  tool: "wrk" | "node";
  /** Requests completed. */
  requests: number;
  /** Requests sent (completed, failed, or in flight when the run ended): what the target saw. */
  sent: number;
  durationMs: number;
  rps: number;
  /** Latency in ms, corrected for coordinated omission the way wrk does it. */
  latency: LatencySummary;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
};

export type LoadOptions = {
  connections: number;
  durationMs: number;
  cpus?: string | undefined;
  dir: string;
  maxRequests?: number;
  /** Per request, Node generator only. @default 10_000 */
  timeoutMs?: number;
};

/** Whether `wrk` is on PATH. */
export const wrkAvailable = () => spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined;

/** A Lua long-bracket literal that cannot be closed by its own content. */
export function luaString(s: string): string {
  let eq = "";
  while (s.includes(`]${eq}]`)) eq += "=";
  return `[${eq}[${s}]${eq}]`;
}

/**
 * wrk's script: POST with the headers; the body built per request from its template (UNIQUE and
 * choices) or formatted once when fixed; a request counter per thread; a JSON summary at the end.
 */
export function wrkScript(spec: RequestSpec, nonce: string): string {
  const headers = Object.entries(spec.headers)
    .map(([k, v]) => `wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`)
    .join("\n");
  const parts = segments(spec.body);
  const choices = parts.flatMap((p) => ("options" in p ? [p.options] : []));
  let k = 0;
  const expr = parts.map((p) => ("unique" in p ? "unique()" : "options" in p ? `pick(${++k})` : luaString(p.text))).join(" .. ");
  const dynamic = parts.some((p) => !("text" in p));
  return `wrk.method = "POST"
wrk.path = ${luaString(spec.path)}
wrk.body = ${luaString(spec.body)}
${headers}
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
counter = 0
local words = {${WORD_LIST.map((w) => `"${w}"`).join(", ")}}
local choices = {${choices.map((opts) => `{${opts.map(luaString).join(", ")}}`).join(", ")}}
init = function(args)
  math.randomseed(os.time() * 100 + (tid or 0))
end
local function unique()
  local t = { ${luaString(nonce)} .. "-" .. tostring(tid or 0) .. "-" .. counter }
  for i = 1, 6 do t[#t + 1] = words[math.random(#words)] end
  return table.concat(t, " ")
end
local function pick(i)
  local c = choices[i]
  return c[math.random(#c)]
end
local fixed = nil
request = function()
  counter = counter + 1
  ${dynamic ? `return wrk.format(nil, nil, nil, ${expr})` : "fixed = fixed or wrk.format()\n  return fixed"}
end
done = function(summary, latency, requests)
  local e = summary.errors
  local sent = 0
  for _, t in ipairs(threads) do sent = sent + (tonumber(t:get("counter")) or 0) end
  io.write(string.format('BENCH_JSON {"requests":%d,"sent":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"n":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\\n',
    summary.requests, sent, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    summary.requests, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

/** Parses wrk's output (the BENCH_JSON line our script's `done` writes). */
export function parseWrk(stdout: string): LoadResult {
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (!line) throw new Error(`wrk: no summary in output: ${stdout.slice(0, 500)}`);
  const j = JSON.parse(line.slice("BENCH_JSON ".length)) as {
    requests: number;
    sent?: number;
    duration_us: number;
    errors: LoadResult["errors"];
    latency_us: { n: number; mean: number; p50: number; p90: number; p99: number; max: number };
  };
  const ms = (us: number) => us / 1000;
  const durationMs = ms(j.duration_us);
  return {
    tool: "wrk",
    requests: j.requests,
    sent: Math.max(j.sent ?? 0, j.requests),
    durationMs,
    rps: durationMs > 0 ? j.requests / (durationMs / 1000) : 0,
    latency: {
      n: j.latency_us.n,
      mean: ms(j.latency_us.mean),
      p50: ms(j.latency_us.p50),
      p90: ms(j.latency_us.p90),
      p99: ms(j.latency_us.p99),
      max: ms(j.latency_us.max),
    },
    errors: j.errors,
  };
}

/** Runs wrk (one thread) for the duration; killed if it overruns by 10 s. */
export async function runWrk(spec: RequestSpec, opts: LoadOptions): Promise<LoadResult> {
  const script = join(opts.dir, "wrk.lua");
  writeFileSync(script, wrkScript(spec, Math.random().toString(36).slice(2, 10)));
  const secs = Math.max(1, Math.round(opts.durationMs / 1000));
  const args = ["-t1", `-c${opts.connections}`, `-d${secs}s`, "--timeout", "10s", "-s", script, spec.url];
  const [cmd, argv] = opts.cpus ? ["taskset", ["-c", opts.cpus, "wrk", ...args]] : ["wrk", args];
  const stdout = await runBounded(cmd as string, argv as string[], secs * 1000 + 10_000);
  return parseWrk(stdout);
}

/** Child processes still running (stopped on SIGINT by the runner). */
export const running = new Set<import("node:child_process").ChildProcess>();

function runBounded(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited with ${code ?? signal}: ${err.slice(0, 500)}`));
    });
  });
}

export type Reply = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  headersMs: number;
  firstByteMs: number;
  totalMs: number;
};

/** One request on `agent`; times (ms, from the call) to headers, first body byte and end. Bounded by `timeoutMs`. */
export function send(spec: RequestSpec, body: string, agent: Agent, timeoutMs = 30_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(spec.path, spec.url);
    const t0 = performance.now();
    const req = request(
      url,
      { method: "POST", agent, headers: { ...spec.headers, "content-length": Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        const headersMs = performance.now() - t0;
        let firstByteMs = -1;
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - t0;
          chunks.push(d);
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            headersMs,
            firstByteMs: firstByteMs < 0 ? headersMs : firstByteMs,
            totalMs: performance.now() - t0,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

let counter = 0;
/** The body with its markers replaced, as wrk's script does (`nonce` keeps runs apart). */
export function materialize(body: string, nonce: string, random: () => number = Math.random): string {
  const id = `${nonce}-s-${++counter}`;
  const any = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  return segments(body)
    .map((p) =>
      "text" in p ? p.text : "options" in p ? any(p.options) : [id, ...Array.from({ length: 6 }, () => any(WORD_LIST))].join(" "),
    )
    .join("");
}

export type SequentialResult = {
  n: number;
  errors: number;
  firstError?: string;
  /** Full response time, ms. */
  latency: LatencySummary;
  /** Time to the first body byte, ms. */
  ttfb: LatencySummary;
  /** The same run with wrk's coordinated-omission correction applied (what wrk -c1 would report). */
  latencyCorrected: LatencySummary;
  durationMs: number;
  rps: number;
};

/** One request at a time on one keep-alive connection, bounded by count and time. */
export async function sequential(
  spec: RequestSpec,
  opts: { maxRequests: number; maxMs: number; ok?: (r: Reply) => boolean },
): Promise<SequentialResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const nonce = Math.random().toString(36).slice(2, 10);
  const total: number[] = [];
  const ttfb: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  try {
    while (total.length + errors < opts.maxRequests && performance.now() - t0 < opts.maxMs) {
      try {
        const r = await send(spec, materialize(spec.body, nonce), agent);
        if (r.status !== 200 || (opts.ok && !opts.ok(r))) {
          errors++;
          firstError ??= `${r.status} ${r.body.slice(0, 200)}`;
        } else {
          total.push(r.totalMs);
          ttfb.push(r.firstByteMs);
        }
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  } finally {
    agent.destroy();
  }
  const durationMs = performance.now() - t0;
  return {
    n: total.length,
    errors,
    ...(firstError ? { firstError } : {}),
    latency: summarize(total),
    ttfb: summarize(ttfb),
    latencyCorrected: summarize(correctLikeWrk(total, expectedInterval(durationMs, total.length, 1))),
    durationMs,
    rps: total.length / (durationMs / 1000),
  };
}

/**
 * The fallback when wrk is missing: `connections` keep-alive connections in a closed loop (each
 * sends its next request when the previous one ends), bounded by time and `maxRequests`, latencies
 * corrected like wrk. Runs in the bench's own Node process (one core), so it saturates earlier than
 * wrk; the report says which generator ran.
 */
export async function nodeLoad(spec: RequestSpec, opts: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const nonce = Math.random().toString(36).slice(2, 10);
  const latencies: number[] = [];
  const errors = { connect: 0, read: 0, write: 0, status: 0, timeout: 0 };
  const maxRequests = opts.maxRequests ?? 2_000_000;
  let sent = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  const loop = async () => {
    while (performance.now() < deadline && latencies.length < maxRequests) {
      try {
        sent++;
        const r = await send(spec, materialize(spec.body, nonce), agent, opts.timeoutMs ?? 10_000);
        if (r.status < 200 || r.status >= 400) errors.status++;
        latencies.push(r.totalMs);
      } catch (err) {
        if (/timed out/.test(String(err))) errors.timeout++;
        else errors.read++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.connections }, loop));
  } finally {
    agent.destroy();
  }
  const durationMs = performance.now() - t0;
  return {
    tool: "node",
    requests: latencies.length,
    sent,
    durationMs,
    rps: latencies.length / (durationMs / 1000),
    latency: summarize(correctLikeWrk(latencies, expectedInterval(durationMs, latencies.length, opts.connections))),
    errors,
  };
}
