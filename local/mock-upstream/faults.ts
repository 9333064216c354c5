/**
 * Latency and fault configuration, per deployment ("default" = the root
 * routes, "*" = applies to every deployment, a deployment's own keys win).
 *
 * A request fails when
 * - `failNext` > 0 (the count is decremented; the deployment's own counter
 *   first, then the "*" one), or
 * - `failureRate` > 0 and the deployment's seeded PRNG draws below it, or
 * - `fault` is set while neither `failNext` nor `failureRate` is configured
 *   (then every request gets the fault).
 * A failing request gets the `fault` kind (default "status").
 */
import { hash32, prng } from "./content";

export const FAULT_KINDS = ["status", "reset", "midstream-cut", "slow-first-byte", "hang"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface DeploymentConfig {
  /** Wait before sending headers. */
  latencyMs?: number;
  /** Wait after headers, before the first stream chunk (non-stream: added before headers). */
  ttftMs?: number;
  /** Wait between stream chunks (non-stream: × (pieces − 1), added before headers). */
  interChunkMs?: number;
  /** 0..1, drawn from the deployment's PRNG (seeded from the server seed, or `seed`). */
  failureRate?: number;
  /** Status of "status" faults (default 500). */
  failureStatus?: number;
  /** Seconds; sets Retry-After on "status" faults. */
  retryAfter?: number;
  /** Fail exactly the next N requests. */
  failNext?: number;
  /** What a failing request gets (default "status"). */
  fault?: FaultKind;
  /** "slow-first-byte": wait before headers (default 10000). */
  slowFirstByteMs?: number;
  /** "midstream-cut": stream this many chunks (SSE events / body slices) before destroying the socket (default 2). */
  cutAfterChunks?: number;
  /** 0..1 of the prompt reported as cached. */
  cachedTokenFraction?: number;
  /** Reseeds this deployment's failure PRNG when set. */
  seed?: number;
}

export const CONFIG_KEYS: ReadonlySet<string> = new Set([
  "latencyMs",
  "ttftMs",
  "interChunkMs",
  "failureRate",
  "failureStatus",
  "retryAfter",
  "failNext",
  "fault",
  "slowFirstByteMs",
  "cutAfterChunks",
  "cachedTokenFraction",
  "seed",
]);

export interface Fault {
  kind: FaultKind;
  status: number;
  retryAfter: number | undefined;
  slowFirstByteMs: number;
  cutAfterChunks: number;
}

export interface Plan {
  latencyMs: number;
  ttftMs: number;
  interChunkMs: number;
  cachedTokenFraction: number;
  fault: Fault | null;
}

const NO_PLAN: Plan = Object.freeze({ latencyMs: 0, ttftMs: 0, interChunkMs: 0, cachedTokenFraction: 0, fault: null });

export type ControlState = Record<string, DeploymentConfig>;

type Headers = Record<string, string | string[] | undefined>;

function num(v: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`${name} must be a number in [${min}, ${max}]`);
  }
  return v;
}

function validate(key: string, v: unknown): unknown {
  switch (key) {
    case "failureRate":
    case "cachedTokenFraction":
      return num(v, key, 0, 1);
    case "failureStatus":
      return num(v, key, 100, 599);
    case "fault":
      if (!FAULT_KINDS.includes(v as FaultKind)) throw new Error(`fault must be one of ${FAULT_KINDS.join(", ")}`);
      return v;
    case "seed":
      return num(v, key, -(2 ** 53), 2 ** 53);
    default:
      return num(v, key);
  }
}

export class FaultController {
  private configs = new Map<string, DeploymentConfig>();
  private rngs = new Map<string, () => number>();
  private active = false;

  constructor(private readonly seed: number) {}

  get(): ControlState {
    const out: ControlState = {};
    for (const [k, v] of this.configs) out[k] = { ...v };
    return out;
  }

  /**
   * Merges a patch. `patch` is either `{ "<deployment>": {...config} }` or, when
   * any top-level key is a config key, a config for `deployment`.
   * A `null` value deletes that key. Throws on invalid input (nothing applied).
   */
  set(patch: unknown, deployment = "default"): ControlState {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) throw new Error("body must be a JSON object");
    const entries = Object.keys(patch).some((k) => CONFIG_KEYS.has(k))
      ? [[deployment, patch] as const]
      : Object.entries(patch as Record<string, unknown>);
    const next = new Map<string, DeploymentConfig>();
    for (const [dep, cfg] of entries) {
      if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw new Error(`config for "${dep}" must be an object`);
      const merged: Record<string, unknown> = { ...(next.get(dep) ?? this.configs.get(dep)) };
      for (const [k, v] of Object.entries(cfg)) {
        if (!CONFIG_KEYS.has(k)) throw new Error(`unknown config key "${k}"`);
        if (v === null) delete merged[k];
        else merged[k] = validate(k, v);
      }
      next.set(dep, merged as DeploymentConfig);
    }
    for (const [dep, cfg] of next) {
      if (Object.keys(cfg).length === 0) this.configs.delete(dep);
      else this.configs.set(dep, cfg);
      if (cfg.seed !== undefined || dep === "*") this.rngs.clear();
      else this.rngs.delete(dep);
    }
    this.active = this.configs.size > 0;
    return this.get();
  }

  reset(): void {
    this.configs.clear();
    this.rngs.clear();
    this.active = false;
  }

  private rng(dep: string, cfg: DeploymentConfig): () => number {
    let r = this.rngs.get(dep);
    if (r === undefined) {
      r = prng(hash32(`${cfg.seed ?? this.seed}\u0000${dep}`));
      this.rngs.set(dep, r);
    }
    return r;
  }

  /** Decides latency and fault for one request (consumes failNext / PRNG draws). */
  plan(dep: string, headers: Headers): Plan {
    const hLatency = headers["x-mock-latency-ms"];
    const hStatus = headers["x-mock-fail-status"];
    const hFault = headers["x-mock-fault"];
    if (!this.active && hLatency === undefined && hStatus === undefined && hFault === undefined) return NO_PLAN;

    const own = this.configs.get(dep);
    const star = this.configs.get("*");
    const cfg: DeploymentConfig = own && star ? { ...star, ...own } : (own ?? star ?? {});

    let failing = false;
    if (own?.failNext !== undefined && own.failNext > 0) {
      own.failNext--;
      failing = true;
    } else if (own?.failNext === undefined && star?.failNext !== undefined && star.failNext > 0) {
      star.failNext--;
      failing = true;
    } else if (cfg.failureRate !== undefined && cfg.failureRate > 0) {
      failing = this.rng(dep, cfg)() < cfg.failureRate;
    } else if (cfg.fault !== undefined && cfg.failNext === undefined && cfg.failureRate === undefined) {
      failing = true;
    }

    let kind: FaultKind | null = failing ? (cfg.fault ?? "status") : null;
    let status = cfg.failureStatus ?? 500;
    if (typeof hFault === "string" && FAULT_KINDS.includes(hFault as FaultKind)) kind = hFault as FaultKind;
    if (typeof hStatus === "string" && Number(hStatus) >= 100) {
      status = Number(hStatus);
      if (kind === null) kind = "status";
    }

    return {
      latencyMs: typeof hLatency === "string" ? Math.max(0, Number(hLatency) || 0) : (cfg.latencyMs ?? 0),
      ttftMs: cfg.ttftMs ?? 0,
      interChunkMs: cfg.interChunkMs ?? 0,
      cachedTokenFraction: cfg.cachedTokenFraction ?? 0,
      fault:
        kind === null
          ? null
          : {
              kind,
              status,
              retryAfter: cfg.retryAfter,
              slowFirstByteMs: cfg.slowFirstByteMs ?? 10_000,
              cutAfterChunks: cfg.cutAfterChunks ?? 2,
            },
    };
  }
}
