import type { IncomingMessage } from "node:http";
import { isLoopbackHost } from "./loopback";
import { jsonToPgParam } from "./pg-text";
import type { PoolTarget } from "./pools";

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Neon's `Neon-Batch-Isolation-Level` values and the SQL they stand for. */
export const ISOLATION_LEVELS: Readonly<Record<string, string>> = {
  Serializable: "SERIALIZABLE",
  RepeatableRead: "REPEATABLE READ",
  ReadCommitted: "READ COMMITTED",
  ReadUncommitted: "READ UNCOMMITTED",
};

/** A request the endpoint refuses before reaching Postgres; answered with `status` and a Neon-style body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One statement of a `/sql` body, its params already turned into Postgres text. */
export interface QueryData {
  readonly query: string;
  readonly params: Array<string | null>;
  /** Per-query override of `Neon-Array-Mode`. */
  readonly arrayMode: boolean | undefined;
}

/** The `Neon-*` request headers; only the exact value `true` turns a boolean on, as on Neon. */
export interface RequestFlags {
  readonly rawTextOutput: boolean;
  readonly arrayMode: boolean;
  /** SQL spelling, e.g. `REPEATABLE READ`. */
  readonly isolationLevel: string | undefined;
  readonly readOnly: boolean;
  readonly deferrable: boolean;
}

/** Parses `Neon-Connection-String`; refuses non-loopback hosts (no host rewriting). */
export function parseConnectionString(header: string | string[] | undefined): PoolTarget {
  if (typeof header !== "string" || header === "") throw new HttpError(400, "invalid header: neon-connection-string");
  let url: URL;
  try {
    url = new URL(header);
  } catch (error) {
    throw new HttpError(400, `invalid connection string: ${(error as Error).message}`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new HttpError(400, "incorrect scheme");
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database) throw new HttpError(400, "missing database name");
  if (!url.username) throw new HttpError(400, "missing username");
  if (!url.hostname) throw new HttpError(400, "missing hostname");
  if (!isLoopbackHost(url.hostname)) {
    throw new HttpError(400, `the Neon stand-in only connects to loopback hosts, not ${url.hostname}`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  };
}

/** Reads the `Neon-*` headers. */
export function parseFlags(req: IncomingMessage): RequestFlags {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const isolation = header("neon-batch-isolation-level");
  const isolationLevel = isolation === undefined ? undefined : ISOLATION_LEVELS[isolation];
  if (isolation !== undefined && isolationLevel === undefined) throw new HttpError(400, "invalid isolation level");
  return {
    rawTextOutput: header("neon-raw-text-output") === "true",
    arrayMode: header("neon-array-mode") === "true",
    isolationLevel,
    readOnly: header("neon-batch-read-only") === "true",
    deferrable: header("neon-batch-deferrable") === "true",
  };
}

/** Parses `{query, params, arrayMode?}` (one statement) or `{queries: [...]}` (a batch, returned as an array). */
export function parsePayload(text: string): QueryData | QueryData[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `could not parse the HTTP request body: ${(error as Error).message}`);
  }
  if (isRecord(body) && Array.isArray(body.queries)) return body.queries.map(parseQuery);
  return parseQuery(body);
}

function parseQuery(value: unknown): QueryData {
  if (!isRecord(value) || typeof value.query !== "string") {
    throw new HttpError(400, "could not parse the HTTP request body: expected {query, params} or {queries: [...]}");
  }
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new HttpError(400, "could not parse the HTTP request body: params must be an array");
  const arrayMode = typeof value.arrayMode === "boolean" ? value.arrayMode : undefined;
  return { query: value.query, params: params.map(jsonToPgParam), arrayMode };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads the whole body as UTF-8, refusing more than 10 MiB like Neon. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, `request is too large (max is ${MAX_BODY_BYTES} bytes)`));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (error) => reject(new HttpError(400, `could not read the HTTP request body: ${error.message}`)));
  });
}
