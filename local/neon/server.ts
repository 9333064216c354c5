import http from "node:http";
import type { AddressInfo } from "node:net";
import type { StandIn } from "../stand-in";
import { isLoopbackHost, type LoopbackTarget } from "./loopback";
import { type PgliteBackend, startPglite } from "./pglite-backend";
import { PoolRegistry } from "./pools";
import { createSqlEndpoint } from "./sql-http";
import { NeonStats } from "./stats";
import { createWsProxy } from "./ws-proxy";

/** Which database the stand-in fronts: a real Postgres, or an embedded PGlite persisted in `dataDir`. */
export type NeonBackend = { kind: "postgres"; databaseUrl: string } | { kind: "pglite"; dataDir: string };

/** Options for {@link startNeon}. */
export interface StartNeonOptions {
  readonly backend: NeonBackend;
  /** Port to listen on; 0 (default) picks an ephemeral one. */
  readonly port?: number;
}

/** A running Neon stand-in: SQL over HTTP at `/sql` and the WebSocket tunnel at `/v2`. */
export interface NeonStandIn extends StandIn {
  /** Connection string clients should use: the given one for Postgres; for PGlite, its gated TCP front (`postgres://postgres:postgres@127.0.0.1:PORT/postgres`). */
  readonly databaseUrl: string;
  /** `http://127.0.0.1:PORT/sql`, for `neonConfig.fetchEndpoint`. */
  readonly sqlUrl: string;
  /** `127.0.0.1:PORT/v2`, for `neonConfig.wsProxy` (the driver appends `?address=host:port` to a string value). */
  readonly wsProxy: string;
}

/**
 * Starts the Neon stand-in on 127.0.0.1. Connection strings sent to `/sql` and `/v2?address=` must name a
 * loopback host and are used as given (no host rewriting); anything else is refused. PGlite takes about 3 s
 * to create a data dir (well under 1 s to reopen one) and serves one session at a time.
 */
export async function startNeon(options: StartNeonOptions): Promise<NeonStandIn> {
  const { backend } = options;
  let pglite: PgliteBackend | null = null;
  let databaseUrl: string;
  if (backend.kind === "postgres") {
    assertLoopbackUrl(backend.databaseUrl);
    databaseUrl = backend.databaseUrl;
  } else {
    pglite = await startPglite(backend.dataDir);
    databaseUrl = pglite.databaseUrl;
  }
  const isPglite = (target: LoopbackTarget) => pglite !== null && target.port === pglite.port;

  const stats = new NeonStats();
  const pools = new PoolRegistry((target) => (isPglite(target) ? 1 : 4));
  const sql = createSqlEndpoint({ stats, pools });
  const wsProxy = createWsProxy(stats);

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/__stats") return serveStats(req, res, stats);
    stats.counters.requests += 1;
    if (path === "/sql" && req.method === "OPTIONS") return serveCorsPreflight(res);
    if (path === "/sql") return void sql(req, res);
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  });
  server.on("upgrade", (req, socket, head: Buffer) => {
    stats.counters.requests += 1;
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/v2") return wsProxy.handleUpgrade(req, socket, head);
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await pglite?.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | null = null;

  return {
    name: "neon",
    url,
    port,
    statsUrl: `${url}/__stats`,
    databaseUrl,
    sqlUrl: `${url}/sql`,
    wsProxy: `127.0.0.1:${port}/v2`,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close() {
      closing ??= shutdown(server, wsProxy.close(), pools, pglite);
      return closing;
    },
  };
}

async function shutdown(server: http.Server, proxyClosed: Promise<void>, pools: PoolRegistry, pglite: PgliteBackend | null) {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await Promise.all([proxyClosed, pools.closeAll(), serverClosed]);
  await pglite?.close();
}

function serveStats(req: http.IncomingMessage, res: http.ServerResponse, stats: NeonStats): void {
  if (req.method === "DELETE") {
    stats.reset();
    res.writeHead(204).end();
    return;
  }
  const body = JSON.stringify(stats.snapshot());
  res.writeHead(200, { "Content-Type": "application/json" }).end(body);
}

function serveCorsPreflight(res: http.ServerResponse): void {
  res
    .writeHead(204, {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": "*",
      "Access-Control-Max-Age": "86400",
    })
    .end();
}

function assertLoopbackUrl(databaseUrl: string): void {
  const host = new URL(databaseUrl).hostname;
  if (!isLoopbackHost(host)) throw new Error(`Neon stand-in: database host must be loopback, got ${host}`);
}
