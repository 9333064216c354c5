/**
 * `npm run bench:profile`: a V8 CPU profile of the gateway in raw workerd under load, to find where
 * its CPU time goes. Starts the same stack and processes as `npm run bench` (gateway with the
 * inspector on), warms up, then profiles PROFILE_SECONDS (default 5) of wrk load on one scenario and
 * prints the functions with the most self time and the bundle's modules with the most time, and
 * writes the `.cpuprofile` (Chrome DevTools, speedscope) under bench/results/.
 *
 *   PROFILE_TENANT=full|proxy  PROFILE_MODE=json|stream  PROFILE_CONNECTIONS=32  PROFILE_WORDS=500  npm run bench:profile
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { connectInspector } from "./inspector";
import { type RequestSpec, runWrk } from "./load";
import { pinning } from "./metrics";
import { MODEL } from "./phase";
import { FULL_HEADERS, requestBody } from "./scenarios";
import { startBench } from "./setup";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] };
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

const tenant = process.env.PROFILE_TENANT === "proxy" ? "proxy" : "full";
const mode = process.env.PROFILE_MODE === "stream" ? "stream" : "json";
const seconds = Number(process.env.PROFILE_SECONDS ?? 5);
const connections = Number(process.env.PROFILE_CONNECTIONS ?? 32);
const words = Number(process.env.PROFILE_WORDS ?? 0);
const log = (msg: string) => console.log(`[profile] ${msg}`);

/** Maps a bundle line to the source module esbuild wrote it from (its `// path` comments). */
function moduleIndex(bundleFile: string): (line: number) => string {
  const starts: Array<[number, string]> = [];
  readFileSync(bundleFile, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const m = text.match(/^\/\/ ((?:node_modules|shared|functions|schema)\/.+)$/);
      if (m) starts.push([i, m[1] as string]);
    });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(bundle prelude)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [start, name] = starts[mid] as [number, string];
      if (start <= line) {
        found = name;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found.replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*/, "node_modules/$1");
  };
}

function summarize(profile: Profile, moduleOf: (line: number) => string, requests: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const label = (f: CallFrame) =>
    f.url ? `${f.functionName || "(anonymous)"} ${moduleOf(f.lineNumber)}:${f.lineNumber + 1}` : f.functionName || "(program)";
  const self = new Map<string, number>();
  const modSelf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = (byId.get(id) as ProfileNode).callFrame;
    self.set(label(f), (self.get(label(f)) ?? 0) + us);
    const mod = f.url ? moduleOf(f.lineNumber) : `(${f.functionName || "native"})`;
    modSelf.set(mod, (modSelf.get(mod) ?? 0) + us);
  }
  // inclusive time per function label: each sample counts once per distinct label on its stack
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label((byId.get(cur) as ProfileNode).callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + us);
    }
  }
  const perReq = (us: number) => (us / 1000 / requests).toFixed(4);
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const sampledUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = self.get("(idle)") ?? 0;
  console.log(`\nsampled ${(sampledUs / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms, ${requests} requests`);
  console.log(`busy ms/req (JS thread, sampled): ${perReq(sampledUs - idle)}\n`);
  console.log("self time, ms/req, by module:");
  for (const [k, v] of top(modSelf, 25)) console.log(`  ${perReq(v)}  ${k}`);
  console.log("\nself time, ms/req, by function:");
  for (const [k, v] of top(self, 40)) console.log(`  ${perReq(v)}  ${k}`);
  console.log("\ninclusive time, ms/req, by function:");
  for (const [k, v] of top(total, 60)) console.log(`  ${perReq(v)}  ${k}`);
}

const pin = pinning(availableParallelism());
const bench = await startBench({ gatewayCpus: pin.gateway, log });
try {
  const key = tenant === "full" ? bench.keys.full : bench.keys.proxy;
  const spec: RequestSpec = {
    url: bench.gateway.url,
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...(tenant === "full" ? FULL_HEADERS : {}) },
    // PROFILE_WORDS=N asks the mock for an N-word answer (`[[words:N]]`): long streams, one event per word
    body: requestBody({ mode, cache: "miss" }, MODEL).replace(
      "answer in one line.",
      `answer in one line.${words ? ` [[words:${words}]]` : ""}`,
    ),
  };
  const opts = { connections, cpus: pin.load, dir: bench.dir };
  log(`warm-up: ${tenant} ${mode} c=${connections}`);
  await runWrk(spec, { ...opts, durationMs: 2000 });
  const session = await connectInspector(bench.gatewayInspector, bench.pokeGateway);
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 100 });
  await session.send("Profiler.start");
  const result = await runWrk(spec, { ...opts, durationMs: seconds * 1000 });
  const { profile } = await session.send<{ profile: Profile }>("Profiler.stop");
  session.close();
  log(`${result.requests} requests, ${result.rps.toFixed(0)} req/s, errors ${JSON.stringify(result.errors)}`);
  const dir = fileURLToPath(new URL("results", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/profile-${tenant}-${mode}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));
  log(`profile: ${file}`);
  summarize(profile, moduleIndex(bench.bundle.file), result.sent);
} finally {
  await bench.close();
}
process.exit(0);
