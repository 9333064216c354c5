import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StandIn } from "../stand-in";
import { embeddingModelFor, emptyStats, type ServiceContext } from "./context";
import { EMBEDDER_DIMENSION } from "./embedder";
import { badRequest, HttpError } from "./http-error";
import { loadSnapshot, SnapshotWriter } from "./persistence";
import { createRoutes } from "./routes";
import type { SimilarityFunction } from "./similarity";
import { VectorStore } from "./store";

/** Options of the Upstash Vector REST stand-in. */
export interface VectorRestOptions {
  /** Bearer token every request must carry. */
  token: string;
  /** Directory holding `vector-index.json`; loaded on start, written (debounced, atomically) on change and on close. */
  dataDir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Index dimension; defaults to the local embedder's (384), which enables upsert-data / query-data. */
  dimension?: number;
  /** Similarity function used for scores; default COSINE. */
  similarity?: SimilarityFunction;
}

const SIMILARITIES: SimilarityFunction[] = ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"];
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Starts an Upstash-Vector-REST-compatible server (POST `<url>/<endpoint>[/<namespace>]`, Bearer token,
 * `{"result": ...}` / `{"error": ...}`) backed by an in-memory, disk-persisted brute-force index and
 * the local text embedder. `GET /__stats` reads the counters, `DELETE /__stats` resets them.
 */
export async function startVectorRest(opts: VectorRestOptions): Promise<StandIn> {
  const dimension = opts.dimension ?? EMBEDDER_DIMENSION;
  const similarity = opts.similarity ?? "COSINE";
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`invalid dimension: ${dimension}`);
  if (!SIMILARITIES.includes(similarity)) throw new Error(`invalid similarity: ${similarity}`);

  const store = new VectorStore(dimension, () => writer.schedule());
  const writer = new SnapshotWriter(opts.dataDir, () => store.snapshot());
  const snap = await loadSnapshot(opts.dataDir);
  if (snap) {
    if (snap.dimension !== dimension) {
      throw new Error(`${opts.dataDir} holds an index of dimension ${snap.dimension}, not ${dimension}`);
    }
    store.restore(snap);
  }

  const ctx: ServiceContext = { store, dimension, similarity, embeddingModel: embeddingModelFor(dimension), stats: emptyStats() };
  const routes = createRoutes();
  const server = createServer((req, res) => {
    void serve(req, res).catch((err) => {
      ctx.stats.errors++;
      reply(res, 500, { error: `Internal error: ${(err as Error).message}`, status: 500 });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/__stats") return serveStats(req, res);
    ctx.stats.requests++;
    try {
      if (req.headers.authorization !== `Bearer ${opts.token}`) throw new HttpError(401, "Unauthorized: invalid or missing bearer token");
      const [endpoint = "", ...rest] = url.pathname.replace(/^\/+/, "").split("/");
      const route = routes[endpoint];
      if (!route) throw new HttpError(404, `Unknown endpoint: /${endpoint}`);
      const ns = decodeURIComponent(rest.join("/"));
      const body = await readJson(req);
      reply(res, 200, { result: route(ctx, body, ns, url.searchParams) });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.stats.errors++;
      reply(res, err.status, { error: err.message, status: err.status });
    }
  }

  function serveStats(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === "DELETE") Object.assign(ctx.stats, emptyStats());
    req.resume();
    reply(res, 200, { ...ctx.stats });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    name: "vectorRest",
    url,
    port,
    statsUrl: `${url}/__stats`,
    stats: () => ({ ...ctx.stats }),
    resetStats: () => {
      Object.assign(ctx.stats, emptyStats());
    },
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await writer.flush();
      })();
      return closing;
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Request body too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
