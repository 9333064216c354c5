/**
 * Round-trip census: which store calls happen before the first byte of a response and which after.
 *
 * A separate, unmeasured gateway process reaches Redis, Postgres (Neon HTTP) and Vector through
 * small proxies that hold every call `delayMs` before forwarding it and log when its reply went
 * out. Requests are sent one at a time, each left to settle (no store call in flight or arriving
 * for a while) before the next. A call is synchronous when its reply was sent before the client saw
 * the first byte of the response; a call the gateway makes without awaiting it (waitUntil) cannot
 * have its reply out before that byte unless it was issued at least `delayMs` earlier, so the delay
 * separates the two without looking at the commands.
 */
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { materialize, type RequestSpec, send } from "./load";
import { percentile, summarize } from "./stats";

export type StoreName = "redis" | "postgres" | "vector";
/** One store call seen by a proxy: when it arrived, when it was forwarded (after the delay) and when its reply went out. */
export type StoreCall = { store: StoreName; arrivedMs: number; forwardedMs: number; repliedMs: number; statements: number };

export type DelayProxy = { url: string; close(): Promise<void> };

/** What the proxies saw: replied calls, and how many are still held or in flight. */
export type CallLog = { calls: StoreCall[]; inFlight: number };

/** Statements in a Neon `/sql` body: `{queries: [...]}` is a batch, anything else one statement. */
export function neonStatements(body: string): number {
  try {
    const parsed = JSON.parse(body) as { queries?: unknown[] };
    return Array.isArray(parsed.queries) ? parsed.queries.length : 1;
  } catch {
    return 1;
  }
}

/** An HTTP proxy to `target` that waits `delayMs` before forwarding each request and logs it. */
export async function startDelayProxy(store: StoreName, target: string, delayMs: number, log: CallLog): Promise<DelayProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const base = new URL(target);
  const server: Server = createServer((req, res) => {
    const arrivedMs = performance.now();
    let forwardedMs = arrivedMs;
    log.inFlight++;
    let done = false;
    const finish = (statements: number) => {
      if (done) return;
      done = true;
      log.inFlight--;
      log.calls.push({ store, arrivedMs, forwardedMs, repliedMs: performance.now(), statements });
    };
    res.on("close", () => finish(0));
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      setTimeout(() => {
        forwardedMs = performance.now();
        const headers = { ...req.headers, host: base.host };
        const out = request({ host: base.hostname, port: base.port, path: req.url, method: req.method, headers, agent }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          res.on("finish", () => finish(store === "postgres" ? neonStatements(body.toString()) : 1));
        });
        out.on("error", () => {
          res.writeHead(502);
          res.end();
        });
        out.end(body);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Attribution = Record<StoreName, { sync: number; async: number }> & { pgSyncStatements: number };

/** Splits the calls of one request into before/after the first byte (`firstByteMs`, same clock). */
export function attribute(calls: readonly StoreCall[], firstByteMs: number): Attribution {
  const a: Attribution = {
    redis: { sync: 0, async: 0 },
    postgres: { sync: 0, async: 0 },
    vector: { sync: 0, async: 0 },
    pgSyncStatements: 0,
  };
  for (const c of calls) {
    const sync = c.repliedMs <= firstByteMs;
    a[c.store][sync ? "sync" : "async"]++;
    if (sync && c.store === "postgres") a.pgSyncStatements += c.statements;
  }
  return a;
}

export type CensusResult = {
  n: number;
  errors: number;
  delayMs: number;
  /** Mean per request. */
  perRequest: {
    redisSync: number;
    redisAsync: number;
    pgSync: number;
    pgSyncStatements: number;
    pgAsync: number;
    vectorSync: number;
    vectorAsync: number;
  };
  /** Requests with at least one synchronous Postgres statement (cache refreshes show up here). */
  requestsWithPgSync: number;
  /** The largest number of synchronous Redis calls any one request made. */
  maxRedisSync: number;
  /** The typical request's synchronous Redis calls (median): the mean also carries time-based cache refreshes. */
  medianRedisSync: number;
  /** Mean time from forwarding a call to its reply going out (stand-in plus proxy hop), ms. */
  serviceMs: Record<StoreName, number>;
};

/**
 * Sends `n` requests one by one (bounded by `maxMs`) and attributes each one's store calls, waiting
 * after each until no call is in flight or arriving for `quietMs` (at most 1 s).
 */
export async function runCensus(
  spec: RequestSpec,
  log: CallLog,
  opts: { n: number; maxMs: number; delayMs: number },
): Promise<CensusResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const nonce = Math.random().toString(36).slice(2, 10);
  const quietMs = opts.delayMs + 10;
  const sum = { redisSync: 0, redisAsync: 0, pgSync: 0, pgSyncStatements: 0, pgAsync: 0, vectorSync: 0, vectorAsync: 0 };
  let n = 0;
  let errors = 0;
  let withPg = 0;
  let maxRedis = 0;
  const redisSyncs: number[] = [];
  const service: Record<StoreName, number[]> = { redis: [], postgres: [], vector: [] };
  const t0 = performance.now();
  try {
    while (n + errors < opts.n && performance.now() - t0 < opts.maxMs) {
      log.calls.length = 0;
      const start = performance.now();
      const r = await send(spec, materialize(spec.body, nonce), agent).catch(() => undefined);
      await settle(log, quietMs);
      if (r?.status !== 200) {
        errors++;
        continue;
      }
      const a = attribute(log.calls, start + r.headersMs);
      n++;
      sum.redisSync += a.redis.sync;
      sum.redisAsync += a.redis.async;
      sum.pgSync += a.postgres.sync;
      sum.pgSyncStatements += a.pgSyncStatements;
      sum.pgAsync += a.postgres.async;
      sum.vectorSync += a.vector.sync;
      sum.vectorAsync += a.vector.async;
      if (a.postgres.sync > 0) withPg++;
      maxRedis = Math.max(maxRedis, a.redis.sync);
      redisSyncs.push(a.redis.sync);
      for (const c of log.calls) service[c.store].push(c.repliedMs - c.forwardedMs);
    }
  } finally {
    agent.destroy();
  }
  const per = (v: number) => (n === 0 ? Number.NaN : v / n);
  return {
    n,
    errors,
    delayMs: opts.delayMs,
    perRequest: {
      redisSync: per(sum.redisSync),
      redisAsync: per(sum.redisAsync),
      pgSync: per(sum.pgSync),
      pgSyncStatements: per(sum.pgSyncStatements),
      pgAsync: per(sum.pgAsync),
      vectorSync: per(sum.vectorSync),
      vectorAsync: per(sum.vectorAsync),
    },
    requestsWithPgSync: withPg,
    maxRedisSync: maxRedis,
    serviceMs: {
      redis: summarize(service.redis).mean,
      postgres: summarize(service.postgres).mean,
      vector: summarize(service.vector).mean,
    },
    medianRedisSync: percentile(
      redisSyncs.sort((x, y) => x - y),
      50,
    ),
  };
}

/** Resolves once no call is in flight and none arrived or ended for `quietMs`, at most 1 s. */
async function settle(log: CallLog, quietMs: number): Promise<void> {
  const until = performance.now() + 1000;
  let seen = -1;
  let stableSince = performance.now();
  while (performance.now() < until) {
    const mark = log.calls.length * 1000 + log.inFlight;
    if (mark !== seen || log.inFlight > 0) {
      seen = mark;
      stableSince = performance.now();
    } else if (performance.now() - stableSince >= quietMs) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}
