import type { Env } from "../config/env";
import { createRedis } from "../storage/redis";
import { PROBE_LUA, RECORD_LUA } from "./breaker-lua";
import type { FailureClass } from "./retry";

/** When a deployment's breaker opens and how long it stays open. */
export type BreakerConfig = {
  /** Length of the fixed window the failure rate is counted in. @default 30000 */
  windowMs: number;
  /** The failure rate only counts once the window saw this many answers. @default 10 */
  minRequests: number;
  /** Share of failed answers in the window that opens the breaker. @default 0.5 */
  failureRate: number;
  /** Failures in a row that open the breaker, whatever the window says. @default 5 */
  consecutiveFailures: number;
  /** How long an open breaker refuses traffic before one probe may test it. @default 10000 */
  cooldownMs: number;
  /** How long one isolate holds the half-open probe before another may try. @default 5000 */
  probeLeaseMs: number;
};

/** The defaults of every {@link BreakerConfig} field. */
export const DEFAULT_BREAKER_CONFIG: Readonly<BreakerConfig> = {
  windowMs: 30_000,
  minRequests: 10,
  failureRate: 0.5,
  consecutiveFailures: 5,
  cooldownMs: 10_000,
  probeLeaseMs: 5_000,
};

/** Idle deployment hashes expire after a day; every record refreshes it. */
export const DEPLOYMENT_TTL_SECONDS = 86_400;

export type BreakerState = "closed" | "open" | "half-open";

/** What the router needs to know of a deployment, read from its hash. */
export type DeploymentHealth = {
  state: BreakerState;
  /** When an open breaker admits a probe (ms); 0 when closed. */
  openUntil: number;
  /** Attempts in flight across isolates (best effort: an isolate killed before its record leaks one). */
  inflight: number;
  /** Latency EWMA of successful attempts (ms), null before the first one. */
  ewmaMs: number | null;
  /** Until when another isolate holds the half-open probe lease (ms); 0 when none. */
  probeUntil: number;
};

/** How one attempt's answer counts: `skip` says nothing about health (client error, aborted loser). */
export type BreakerOutcome = "ok" | "fail" | "skip";

/**
 * The hash holding a deployment's breaker and load fields. The preflight increments its `inflight`
 * field (`HINCRBY key inflight 1`, `EXPIRE key DEPLOYMENT_TTL_SECONDS`) for the deployment it picks;
 * `record(…, { release: true })` gives that slot back.
 * @example deploymentKey(env.REDIS_KEY_PREFIX, "dep_123") // "ew:dep:dep_123"
 */
export function deploymentKey(prefix: string, deploymentId: string): string {
  return `${prefix}dep:${deploymentId}`;
}

/**
 * Reads a deployment hash, as HGETALL returns it (flat array or object; absent/empty = a healthy,
 * idle deployment). An open breaker whose cooldown has passed reads as half-open.
 * @example healthFromHash(["state", "open", "openUntil", "1700000010000"], 1700000000000).state // "open"
 */
export function healthFromHash(fields: Record<string, unknown> | readonly unknown[] | null | undefined, now: number): DeploymentHealth {
  const h = toRecord(fields);
  const openUntil = h.state === "open" ? num(h.openUntil) : 0;
  const ewma = h.ewma === undefined || h.ewma === null || h.ewma === "" ? Number.NaN : Number(h.ewma);
  return {
    state: h.state !== "open" ? "closed" : now < openUntil ? "open" : "half-open",
    openUntil,
    inflight: Math.max(0, num(h.inflight)),
    ewmaMs: Number.isFinite(ewma) ? ewma : null,
    probeUntil: num(h.probe),
  };
}

/**
 * Whether the router may send this deployment a request: `yes` when closed, `probe` when half-open
 * and no other isolate holds the probe (take it with `probe()` first), else `no`.
 * @example const pickable = candidates.filter((d) => isSelectable(d.health, now) !== "no");
 */
export function isSelectable(health: DeploymentHealth, now: number): "yes" | "probe" | "no" {
  if (health.state === "closed") return "yes";
  if (now < health.openUntil) return "no";
  return health.probeUntil > now ? "no" : "probe";
}

/**
 * How an attempt counts for its deployment's breaker: success is ok; 5xx, timeouts, overload and
 * upstream rate limits are failures (traffic should move); client errors, content policy refusals
 * and aborted losers say nothing about the deployment.
 * @example breakers.record(key, breakerOutcome(record.failure), record.latencyMs)
 */
export function breakerOutcome(failure: FailureClass | undefined): BreakerOutcome {
  if (failure === undefined) return "ok";
  return failure === "server" || failure === "timeout" || failure === "unavailable" || failure === "rate_limit" ? "fail" : "skip";
}

export type RecordOptions = {
  /** @default Date.now() */
  now?: number;
  config?: Partial<BreakerConfig>;
  /** Decrement `inflight`: once per increment the preflight made. @default true */
  release?: boolean;
};

/**
 * The arguments of one recorded outcome (`record_outcome`'s table): also what the gateway's
 * postflight script takes to record the answering attempt in its own command.
 */
export function recordArgs(
  outcome: BreakerOutcome,
  latencyMs: number,
  { now = Date.now(), config, release = true }: RecordOptions = {},
): string[] {
  const c = { ...DEFAULT_BREAKER_CONFIG, ...config };
  return [
    now,
    outcome,
    Math.round(latencyMs),
    release ? 1 : 0,
    c.windowMs,
    c.minRequests,
    c.failureRate,
    c.consecutiveFailures,
    c.cooldownMs,
    DEPLOYMENT_TTL_SECONDS,
  ].map(String);
}

/** The breaker's two Redis calls (one billed command each). */
export type BreakerScripts = {
  /** Counts one attempt's answer (after the response); resolves to the deployment's health afterwards. */
  record(key: string, outcome: BreakerOutcome, latencyMs: number, opts?: RecordOptions): Promise<DeploymentHealth>;
  /** Takes the half-open probe lease across isolates; false when another isolate holds it. */
  probe(key: string, now?: number, leaseMs?: number): Promise<boolean>;
};

/** All the breaker needs from the Redis SDK. */
export type ScriptClient = Pick<ReturnType<typeof createRedis>, "createScript">;

/**
 * The breaker scripts over a client that does not JSON-parse replies: pass the env (a client of its
 * own is built, like `trafficScripts`) or such a client (`automaticDeserialization: false`).
 * @example const health = await breakerScripts(env).record(deploymentKey(prefix, id), "fail", 812);
 */
export function breakerScripts(from: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN"> | ScriptClient): BreakerScripts {
  const redis = "createScript" in from ? from : createRedis(from, { raw: true });
  const record = redis.createScript<unknown[]>(RECORD_LUA);
  const probe = redis.createScript<unknown>(PROBE_LUA);
  return {
    async record(key, outcome, latencyMs, opts = {}) {
      const args = recordArgs(outcome, latencyMs, opts);
      return healthFromHash(await record.exec([key], args), Number(args[0]));
    },
    async probe(key, now = Date.now(), leaseMs = DEFAULT_BREAKER_CONFIG.probeLeaseMs) {
      return Number(await probe.exec([key], [String(now), String(leaseMs)])) === 1;
    },
  };
}

function toRecord(fields: Record<string, unknown> | readonly unknown[] | null | undefined): Record<string, unknown> {
  if (!fields) return {};
  if (!Array.isArray(fields)) return fields as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[String(fields[i])] = fields[i + 1];
  return out;
}

function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}
