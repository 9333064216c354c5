import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Redis } from "ioredis";
import type { StandIn } from "../stand-in";
import { callFromPath, parseCall, parseCalls, parseJson, type RedisCall } from "./commands";
import { encodeOutcomes, encodeReply, type Outcome } from "./encode";
import { RedisExecutor } from "./executor";
import { HttpError } from "./http-error";
import { ScriptRewriter } from "./scripts";
import { emptyStats } from "./stats";

/** Options for {@link startRedisRest}. */
export interface RedisRestOptions {
  /** `redis://` URL of the real Redis behind the stand-in. */
  redisUrl: string;
  /** Bearer token clients must send (`UPSTASH_REDIS_REST_TOKEN`). */
  token: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

const BODY_LIMIT = 10 * 1024 * 1024;
const JSON_HEADERS = { "content-type": "application/json" };
const UNAUTHORIZED = '{"error":"Unauthorized"}';

/**
 * Starts an Upstash-Redis-REST-compatible HTTP server backed by real Redis: `POST /`,
 * `/pipeline`, `/multi-exec`, path style (`/set/foo/bar`), `Upstash-Encoding: base64`, Bearer
 * auth, Upstash-only Lua shebang flags, and `/__stats` (no auth).
 */
export async function startRedisRest(opts: RedisRestOptions): Promise<StandIn> {
  const redis = new Redis(opts.redisUrl, {
    protocol: 2,
    stringNumbers: true,
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectionName: "edgeway-redis-rest",
  });
  let lastError: Error | undefined;
  redis.on("error", (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const reason = (lastError ?? (err as Error)).message;
    throw new Error(`redisRest: cannot connect to Redis at ${redactUrl(opts.redisUrl)}: ${reason}`);
  }

  const stats = emptyStats();
  const executor = new RedisExecutor(redis, new ScriptRewriter(), stats);
  const auth = `Bearer ${opts.token}`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const path = q === -1 ? target : target.slice(0, q);
    if (path === "/__stats") return serveStats(req, res);
    stats.requests++;
    if (req.headers.authorization !== auth) {
      stats.unauthorized++;
      return send(res, 401, UNAUTHORIZED);
    }
    const base64 = req.headers["upstash-encoding"] === "base64";
    try {
      if (path === "/" || path === "/pipeline" || path === "/multi-exec") {
        if (req.method !== "POST") throw new HttpError(405, `ERR ${req.method} is not allowed on ${path}`);
        const body = parseJson(await readBody(req));
        if (path === "/") return sendResult(res, await executor.one(parseCall(body), res), base64);
        if (path === "/pipeline") {
          stats.pipelines++;
          return sendOutcomes(res, await executor.pipeline(parseCalls(body), res), base64);
        }
        stats.multiExec++;
        return sendOutcomes(res, await executor.multiExec(parseCalls(body)), base64);
      }
      if (req.method !== "GET" && req.method !== "POST") {
        throw new HttpError(405, `ERR ${req.method} is not allowed`);
      }
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const call: RedisCall = callFromPath(path, q === -1 ? "" : target.slice(q + 1), body);
      return sendResult(res, await executor.one(call, res), base64);
    } catch (err) {
      stats.errors++;
      const [status, message] = describeError(err);
      if (status === 413) res.setHeader("connection", "close");
      return send(res, status, `{"error":${JSON.stringify(message)}}`);
    }
  };

  const sendOutcomes = (res: ServerResponse, outcomes: Outcome[], base64: boolean): void => {
    for (const [error] of outcomes) {
      if (!error) continue;
      if (error.name !== "ReplyError" && !(error instanceof HttpError)) throw error;
      stats.errors++;
    }
    send(res, 200, encodeOutcomes(outcomes, base64));
  };

  const serveStats = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "GET" && req.method !== "DELETE") {
      send(res, 405, '{"error":"ERR use GET or DELETE"}');
      return;
    }
    if (req.method === "DELETE") Object.assign(stats, emptyStats());
    send(res, 200, JSON.stringify(stats));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `{"error":${JSON.stringify(`ERR ${(err as Error).message}`)}}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 0);
  const url = `http://${urlHost(opts.host ?? "127.0.0.1")}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    name: "redisRest",
    url,
    port,
    statsUrl: `${url}/__stats`,
    stats: () => ({ ...stats }),
    resetStats: () => {
      Object.assign(stats, emptyStats());
    },
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 1000).unref();
        });
        executor.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}

function sendResult(res: ServerResponse, reply: Parameters<typeof encodeReply>[0], base64: boolean): void {
  send(res, 200, `{"result":${encodeReply(reply, base64)}}`);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, JSON_HEADERS);
  res.end(body);
}

function describeError(err: unknown): [number, string] {
  if (err instanceof HttpError) return [err.status, err.message];
  const error = err as Error;
  if (error.name === "ReplyError") return [400, error.message];
  return [503, `ERR Redis unavailable: ${error.message}`];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > BODY_LIMIT) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        req.removeAllListeners("data");
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, `ERR request body exceeds ${BODY_LIMIT} bytes`);
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
