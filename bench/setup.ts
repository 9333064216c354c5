/**
 * Everything a run needs, started in order and stopped in reverse (also on SIGINT): the offline
 * stack on a fresh database and Redis prefix, two seeded tenants, the bundle, and the workerd
 * processes (gateway, floors, an unmeasured one for flushing usage between phases, and with
 * BENCH_BASELINE the Worker at another revision).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis as IORedis } from "ioredis";
import pg from "pg";
import { createDatabase, DEFAULT_POSTGRES_URL, dropDatabase, postgresReachable } from "../local/postgres";
import { seedDev, seedTenant } from "../local/seed";
import { type PostgresChoice, type Stack, startStack } from "../local/stack";
import { newApiKey } from "../shared/auth/keys";
import { connectInspector, freePort, heapAfterGc } from "./inspector";
import { parseRedisTimes, type RedisTimes } from "./metrics";
import { FULL_KEY_LIMITS, FULL_SETTINGS, PROXY_SETTINGS, SEMANTIC_SETTINGS } from "./scenarios";
import {
  type Bundle,
  bundleWorker,
  CRON_WRAPPER,
  FLOOR_WORKER,
  IO_FLOOR_WORKER,
  parseWranglerToml,
  type Startup,
  slowClockModules,
  startWorkerd,
  type Workerd,
  type WranglerSettings,
} from "./workerd";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The Workers a bench runs: the gateway, the three floors, and with BENCH_BASELINE the gateway at another revision. */
export type WorkerKind = "gateway" | "floor" | "io-floor" | "stack-floor" | "baseline";

export type Bench = {
  dir: string;
  stack: Stack;
  postgresKind: PostgresChoice["kind"];
  keys: { full: string; proxy: string; semantic: string };
  bundle: Bundle;
  wrangler: WranglerSettings;
  gateway: Workerd;
  /** `host:port` of the gateway's V8 inspector. */
  gatewayInspector: string;
  /** One cheap request to the gateway (keeps its isolate handling inspector messages). */
  pokeGateway(): void;
  /** The gateway's JS heap in use after a full GC, in bytes (a fresh inspector session per call). */
  gatewayHeap(): Promise<number>;
  floor: Workerd;
  /** The floor plus a Redis REST call before the upstream call (the gateway's I/O shape). */
  ioFloor: Workerd;
  /** The least a gateway on the fixed stack does for the full hot path (`bench/stack-floor.ts`). */
  stackFloor: Workerd;
  /** The same Worker at another revision (BENCH_BASELINE), same bindings and stack: the rounds compare it. */
  baseline?: { revision: string; workerd: Workerd };
  /** Runs the Worker's scheduled handler (usage flush) in its own process. */
  flush(): Promise<void>;
  /** Rows in the public tables (Postgres rows written = the difference). */
  countRows(): Promise<number>;
  /** The Redis server's CPU time and script time so far, µs (`parseRedisTimes`): the difference over a phase is what the phase cost Redis. */
  redisTimes(): Promise<RedisTimes>;
  /** Starts another gateway process with other store URLs (the census). */
  startGateway(name: string, bindings: Record<string, string>, cpus?: string): Promise<Workerd>;
  /**
   * Starts another process of one of the bench's Workers, same modules and bindings, under `wrap`,
   * its `Date.now()` and timers slowed (`npm run bench:instructions`).
   */
  startCopy(worker: WorkerKind, name: string, wrap: string[], clockSlowdown: number, timerSlowdown: number): Promise<Workerd>;
  /**
   * Starts and stops fresh processes of the gateway and the floor (no inspector, on the gateway's
   * cores), alternating, `runs` of each: how each started (spawn to listening).
   */
  startups(runs: number): Promise<{ gateway: Startup[]; floor: Startup[] }>;
  /** Registers something to stop at the end (last registered, first stopped). */
  onClose(fn: () => Promise<unknown>): void;
  close(): Promise<void>;
};

/** Starts the stack and the processes; whatever started is stopped by `close()`, also when a later step fails. */
export async function startBench(opts: {
  gatewayCpus?: string | undefined;
  /** A git revision to build and run next to the working tree's Worker. */
  baseline?: string | undefined;
  log: (msg: string) => void;
}): Promise<Bench> {
  const runId = randomBytes(4).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), `edgeway-bench-${runId}-`));
  const closers: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    while (closers.length) await (closers.pop() as () => Promise<unknown>)().catch((err) => console.error("bench: cleanup failed:", err));
  };
  try {
    const serverUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
    const dbName = `edgeway_bench_${runId}`;
    const postgres: PostgresChoice = (await postgresReachable(serverUrl))
      ? { kind: "postgres", databaseUrl: await createDatabase(serverUrl, dbName) }
      : { kind: "pglite", dataDir: join(dir, "pglite") };
    if (postgres.kind === "postgres") closers.push(() => dropDatabase(serverUrl, dbName));
    const redisKeyPrefix = `ewbench:${runId}:`;
    opts.log(`stack: Postgres ${postgres.kind}, Redis prefix ${redisKeyPrefix}`);
    const stack = await startStack({ dataDir: dir, postgres, redisKeyPrefix, environment: "test" });
    closers.push(() => deleteKeys(stack.redisUrl, `${redisKeyPrefix}*`));
    closers.push(() => stack.close());
    const redisInfo = new IORedis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    closers.push(async () => redisInfo.disconnect());

    const databaseUrl = stack.neon.databaseUrl;
    await seedDev(databaseUrl, newApiKey("test"));
    const full = await seedTenant(databaseUrl, "bench full hot path");
    const proxy = await seedTenant(databaseUrl, "bench pure proxy");
    const semantic = await seedTenant(databaseUrl, "bench semantic cache");
    await configure(databaseUrl, [
      { tenantId: full.tenantId, settings: FULL_SETTINGS, keyId: full.keyId, keyLimits: FULL_KEY_LIMITS },
      { tenantId: proxy.tenantId, settings: PROXY_SETTINGS },
      { tenantId: semantic.tenantId, settings: SEMANTIC_SETTINGS, keyId: semantic.keyId, keyLimits: FULL_KEY_LIMITS },
    ]);

    const bundle = await bundleWorker(join(root, "functions/index.ts"), dir);
    await bundleWorker(join(root, "bench/stack-floor.ts"), dir, "stack-floor.js");
    writeFileSync(join(dir, "floor.js"), FLOOR_WORKER);
    writeFileSync(join(dir, "io-floor.js"), IO_FLOOR_WORKER);
    writeFileSync(join(dir, "cron.js"), CRON_WRAPPER);
    const wrangler = parseWranglerToml(readFileSync(join(root, "wrangler.toml"), "utf8"));
    const bindings = { ...wrangler.vars, ...stack.bindings };
    const start = async (
      name: string,
      modules: string[],
      b: Record<string, string>,
      cpus?: string,
      inspector?: string,
      inDir = dir,
      wrap?: string[],
    ) => {
      const w = await startWorkerd({
        name,
        dir: inDir,
        cpus,
        inspector,
        wrap,
        // a runtime under valgrind takes a while to start
        ...(wrap ? { timeoutMs: 180_000 } : {}),
        config: { modules, compatibilityDate: wrangler.compatibilityDate, compatibilityFlags: wrangler.compatibilityFlags, bindings: b },
      });
      closers.push(() => w.stop());
      return w;
    };
    // the inspector (no session attached while measuring) serves the heap check and `bench:profile`
    const gatewayInspector = `127.0.0.1:${await freePort()}`;
    const gateway = await start(
      "gateway",
      ["index.js"],
      bindings,
      opts.gatewayCpus,
      process.env.BENCH_INSPECTOR === "0" ? undefined : gatewayInspector,
    );
    const poke = () => {
      fetch(`${gateway.url}/healthz`)
        .then((r) => r.text())
        .catch(() => {});
    };
    const floorBindings = { UPSTREAM: stack.mock.url };
    const floor = await start("floor", ["floor.js"], floorBindings, opts.gatewayCpus);
    const ioFloorBindings = {
      UPSTREAM: stack.mock.url,
      REDIS_URL: stack.redisRest.url,
      REDIS_TOKEN: stack.secrets.redisRestToken,
      REDIS_KEY: `${redisKeyPrefix}io-floor`,
    };
    const ioFloor = await start("io-floor", ["io-floor.js"], ioFloorBindings, opts.gatewayCpus);
    const stackFloorBindings = {
      UPSTREAM: stack.mock.url,
      UPSTREAM_KEY: "mock-key",
      UPSTASH_REDIS_REST_URL: stack.redisRest.url,
      UPSTASH_REDIS_REST_TOKEN: stack.secrets.redisRestToken,
      REDIS_KEY: `${redisKeyPrefix}stack-floor`,
    };
    const stackFloor = await start("stack-floor", ["stack-floor.js"], stackFloorBindings, opts.gatewayCpus);
    const cron = await start("cron", ["cron.js", "index.js"], bindings);
    let baseline: Bench["baseline"];
    let baselineDir: string | undefined;
    if (opts.baseline) {
      const at = await bundleRevision(opts.baseline, join(dir, "baseline"));
      baselineDir = at.dir;
      // with an inspector too, when the gateway has one: the same runtime flags on both sides
      const inspector = process.env.BENCH_INSPECTOR === "0" ? undefined : `127.0.0.1:${await freePort()}`;
      baseline = { revision: at.revision, workerd: await start("baseline", ["index.js"], bindings, opts.gatewayCpus, inspector, at.dir) };
      opts.log(`baseline: the Worker at ${at.revision}, ${(at.bundle.gzipBytes / 1024).toFixed(0)} KiB gzipped`);
    }

    /** The main module, bindings and folder each Worker runs with. */
    const filesOf = (worker: WorkerKind): [string, Record<string, string>, string] => {
      if (worker === "floor") return ["floor.js", floorBindings, dir];
      if (worker === "io-floor") return ["io-floor.js", ioFloorBindings, dir];
      if (worker === "stack-floor") return ["stack-floor.js", stackFloorBindings, dir];
      if (worker === "gateway") return ["index.js", bindings, dir];
      if (!baselineDir) throw new Error("no baseline: set BENCH_BASELINE");
      return ["index.js", bindings, baselineDir];
    };

    return {
      dir,
      stack,
      postgresKind: postgres.kind,
      keys: { full: full.apiKey, proxy: proxy.apiKey, semantic: semantic.apiKey },
      bundle,
      wrangler,
      gateway,
      gatewayInspector,
      pokeGateway: poke,
      gatewayHeap: async () => {
        const session = await connectInspector(gatewayInspector, poke);
        try {
          return await heapAfterGc(session);
        } finally {
          session.close();
        }
      },
      floor,
      ioFloor,
      stackFloor,
      ...(baseline ? { baseline } : {}),
      flush: async () => {
        const res = await fetch(`${cron.url}/__scheduled`, { method: "POST", signal: AbortSignal.timeout(30_000) });
        await res.text();
        if (!res.ok) throw new Error(`flush: ${res.status}`);
      },
      countRows: () => countRows(databaseUrl),
      redisTimes: async () => parseRedisTimes((await redisInfo.call("INFO", "cpu", "commandstats")) as string),
      startGateway: (name, b, cpus) => start(name, ["index.js"], { ...bindings, ...b }, cpus),
      startCopy: (worker, name, wrap, clockSlowdown, timerSlowdown) => {
        const [main, b, inDir] = filesOf(worker);
        const modules = slowClockModules(main, clockSlowdown, timerSlowdown);
        // the copy's own file names: copies of different Workers share the folder
        const [entry, clock] = [`${name}-main.js`, `${name}-clock.js`];
        writeFileSync(join(inDir, entry), modules.main(clock));
        writeFileSync(join(inDir, clock), modules.clock);
        return start(name, [entry, clock, main], b, undefined, undefined, inDir, wrap);
      },
      startups: async (runs) => {
        const out: { gateway: Startup[]; floor: Startup[] } = { gateway: [], floor: [] };
        for (let i = 0; i < runs; i++) {
          for (const kind of ["gateway", "floor"] as const) {
            const [main, b] = filesOf(kind);
            const w = await start(`startup-${kind}-${i}`, [main], b, opts.gatewayCpus);
            out[kind].push(w.startup);
            await w.stop();
          }
        }
        return out;
      },
      onClose: (fn) => closers.push(fn),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Bundles the Worker as it was at `rev` (its functions/, shared/ and schema/ from git, this
 * checkout's node_modules) into `dir`. Its schema must be the one the stack was migrated to.
 */
async function bundleRevision(rev: string, dir: string): Promise<{ revision: string; dir: string; bundle: Bundle }> {
  const git = (...args: string[]) => {
    const r = spawnSync("git", args, { cwd: root, encoding: "buffer", maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`BENCH_BASELINE: git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout;
  };
  const revision = git("rev-parse", "--short", `${rev}^{commit}`).toString().trim();
  const src = join(dir, "src");
  mkdirSync(src, { recursive: true });
  const tar = spawnSync("tar", ["-x", "-C", src], { input: git("archive", "--format=tar", revision, "functions", "shared", "schema") });
  if (tar.status !== 0) throw new Error(`BENCH_BASELINE: tar: ${tar.stderr.toString().trim()}`);
  symlinkSync(join(root, "node_modules"), join(src, "node_modules"));
  return { revision, dir, bundle: await bundleWorker(join(src, "functions/index.ts"), dir) };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

type TenantConfig = { tenantId: string; settings: object; keyId?: string; keyLimits?: object };

/** Writes the tenants' settings and their keys' limits straight to Postgres (before any gateway caches them). */
function configure(url: string, configs: TenantConfig[]): Promise<void> {
  return withClient(url, async (c) => {
    for (const t of configs) {
      await c.query("update tenants set settings = $1 where id = $2", [t.settings, t.tenantId]);
      if (t.keyId && t.keyLimits) await c.query("update api_keys set limits = $1 where id = $2", [t.keyLimits, t.keyId]);
    }
  });
}

function countRows(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const tables = await c.query<{ t: string }>(
      "select quote_ident(table_name) as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    if (tables.rows.length === 0) return 0;
    const sql = `select ${tables.rows.map((r) => `(select count(*) from ${r.t})`).join(" + ")} as n`;
    const res = await c.query<{ n: string }>(sql);
    return Number(res.rows[0]?.n ?? 0);
  });
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === "0") break;
    }
  } finally {
    redis.disconnect();
  }
}
