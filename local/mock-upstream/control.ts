/** Stats counters, the request log and the HTTP control API (/__control, /__stats). */
import type { IncomingMessage, ServerResponse } from "node:http";
import { hash32 } from "./content";
import type { FaultController } from "./faults";

export const COUNTERS = [
  "requests",
  "chat",
  "embeddings",
  "anthropic",
  "gemini",
  "streams",
  "errors",
  "aborted",
  "inFlight",
  "maxInFlight",
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

function zero(): Counters {
  return {
    requests: 0,
    chat: 0,
    embeddings: 0,
    anthropic: 0,
    gemini: 0,
    streams: 0,
    errors: 0,
    aborted: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
}

export class Stats {
  readonly total: Counters = zero();
  private readonly perDeployment = new Map<string, Counters>();

  of(deployment: string): Counters {
    let c = this.perDeployment.get(deployment);
    if (c === undefined) {
      c = zero();
      this.perDeployment.set(deployment, c);
    }
    return c;
  }

  begin(dep: Counters): void {
    for (const c of [this.total, dep]) {
      c.requests++;
      if (++c.inFlight > c.maxInFlight) c.maxInFlight = c.inFlight;
    }
  }

  count(dep: Counters, name: Counter): void {
    this.total[name]++;
    dep[name]++;
  }

  end(dep: Counters): void {
    this.total.inFlight--;
    dep.inFlight--;
  }

  /** Flat: the totals, then `deployment:<name>:<counter>` for every deployment seen. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = { ...this.total };
    for (const [name, c] of this.perDeployment) {
      for (const k of COUNTERS) out[`deployment:${name}:${k}`] = c[k];
    }
    return out;
  }

  /** Zeroes every counter except inFlight (maxInFlight restarts from the current inFlight). */
  reset(): void {
    for (const c of [this.total, ...this.perDeployment.values()]) {
      const inFlight = c.inFlight;
      Object.assign(c, zero(), { inFlight, maxInFlight: inFlight });
    }
    for (const [name, c] of this.perDeployment) if (c.inFlight === 0) this.perDeployment.delete(name);
  }
}

export interface LoggedRequest {
  /** Sequence number since start (or the last clear). */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** The URL as received, with any `key=` query value redacted. */
  url: string;
  /** Path without the `/d/<deployment>` prefix and query. */
  path: string;
  deployment: string;
  /** Lower-cased headers; credential headers' values replaced by `redacted(value)`. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text (first 64 KiB) when it is not JSON; null when empty. */
  body: unknown;
}

const SECRET_HEADERS = new Set(["authorization", "x-api-key", "x-goog-api-key", "proxy-authorization", "cookie", "api-key"]);

/** What the request log shows instead of a credential: a fingerprint that never reveals it. */
export function redacted(value: string): string {
  return `[redacted:${hash32(value).toString(16).padStart(8, "0")}]`;
}

export class RequestLog {
  private readonly ring: Array<LoggedRequest | undefined>;
  private next = 0;
  private seq = 0;

  constructor(readonly capacity = 200) {
    this.ring = new Array(capacity);
  }

  add(req: IncomingMessage, path: string, deployment: string, body: unknown): void {
    const headers: Record<string, string> = {};
    const raw = req.headers;
    for (const k in raw) {
      const v = raw[k];
      const s = Array.isArray(v) ? v.join(", ") : (v ?? "");
      headers[k] = SECRET_HEADERS.has(k) ? redacted(s) : s;
    }
    const url = req.url ?? "/";
    this.ring[this.next] = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method: req.method ?? "GET",
      url: url.includes("key=") ? url.replace(/([?&]key=)[^&]*/g, (_m, p: string) => `${p}[redacted]`) : url,
      path,
      deployment,
      headers,
      body,
    };
    this.next = (this.next + 1) % this.capacity;
  }

  /** The last `limit` requests, oldest first. */
  last(limit = this.capacity): LoggedRequest[] {
    const out: LoggedRequest[] = [];
    const n = Math.max(0, Math.min(limit, this.capacity));
    for (let i = n; i >= 1; i--) {
      const r = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.seq = 0;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export interface ControlDeps {
  faults: FaultController;
  stats: Stats;
  log: RequestLog;
}

/** Serves /__control, /__control/requests and /__stats. `deployment` comes from a `/d/<name>` prefix. */
export function handleControl(
  deps: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
  deployment: string,
  body: string,
): void {
  const [status, out] = route(deps, req.method ?? "GET", path, query, deployment, body);
  reply(res, status, out);
}

function route(deps: ControlDeps, method: string, path: string, query: string, deployment: string, body: string): [number, unknown] {
  if (path === "/__stats") {
    if (method === "GET") return [200, deps.stats.snapshot()];
    if (method === "DELETE") {
      deps.stats.reset();
      return [200, deps.stats.snapshot()];
    }
  } else if (path === "/__control") {
    if (method === "GET") return [200, deps.faults.get()];
    if (method === "DELETE") {
      deps.faults.reset();
      deps.log.clear();
      return [200, deps.faults.get()];
    }
    if (method === "PUT" || method === "POST") {
      try {
        return [200, deps.faults.set(body ? JSON.parse(body) : {}, deployment)];
      } catch (e) {
        return [400, { error: (e as Error).message }];
      }
    }
  } else if (path === "/__control/requests") {
    if (method === "GET") {
      const limit = Number(new URLSearchParams(query).get("limit") ?? deps.log.capacity);
      return [200, { requests: deps.log.last(Number.isFinite(limit) ? limit : deps.log.capacity) }];
    }
    if (method === "DELETE") {
      deps.log.clear();
      return [200, { requests: [] }];
    }
  } else {
    return [404, { error: `unknown control route ${path}` }];
  }
  return [405, { error: `method ${method} not allowed on ${path}` }];
}
