import type { RawReply } from "./encode";
import { HttpError } from "./http-error";

/** A command argument: JSON scalars become strings; a path-style POST body stays bytes. */
export type Arg = string | Buffer;

/** One Redis command as received, name upper-cased, plus an optional rewrite of its reply. */
export interface RedisCall {
  name: string;
  args: Arg[];
  fixReply?: (reply: RawReply) => RawReply;
}

const BAD_COMMAND = "ERR command must be a non-empty JSON array of strings, numbers or booleans";
const BAD_BATCH = "ERR body must be a non-empty JSON array of commands";

/** Parses a request body as JSON, turning a syntax error into a 400. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `ERR failed to parse JSON body: ${(err as Error).message}`);
  }
}

/** Validates `["CMD", ...args]`. */
export function parseCall(value: unknown): RedisCall {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== "string" || value[0] === "") {
    throw new HttpError(400, BAD_COMMAND);
  }
  const args: Arg[] = new Array(value.length - 1);
  for (let i = 1; i < value.length; i++) {
    const arg: unknown = value[i];
    if (typeof arg === "string") args[i - 1] = arg;
    else if (typeof arg === "number" || typeof arg === "boolean") args[i - 1] = String(arg);
    else throw new HttpError(400, `${BAD_COMMAND} (argument ${i} is ${arg === null ? "null" : typeof arg})`);
  }
  return { name: value[0].toUpperCase(), args };
}

/** Validates `[["CMD", ...args], ...]` for `/pipeline` and `/multi-exec`. */
export function parseCalls(value: unknown): RedisCall[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, BAD_BATCH);
  return value.map(parseCall);
}

/** Path style: `/set/foo/bar?EX=10`, with a non-empty POST body appended as the last argument. */
export function callFromPath(path: string, query: string, body: Buffer | undefined): RedisCall {
  let parts: string[];
  try {
    parts = path.slice(1).split("/").map(decodeURIComponent);
  } catch {
    throw new HttpError(400, "ERR malformed percent-encoding in path");
  }
  const name = (parts[0] ?? "").toUpperCase();
  const args: Arg[] = parts.slice(1);
  if (query) {
    for (const [key, value] of new URLSearchParams(query)) {
      args.push(key);
      if (value !== "") args.push(value);
    }
  }
  if (body && body.length > 0) args.push(body);
  return { name, args };
}

const CONNECTION_STATE = new Set([
  "AUTH",
  "DISCARD",
  "EXEC",
  "HELLO",
  "MONITOR",
  "MULTI",
  "PSUBSCRIBE",
  "PSYNC",
  "PUNSUBSCRIBE",
  "QUIT",
  "RESET",
  "SELECT",
  "SSUBSCRIBE",
  "SUBSCRIBE",
  "SUNSUBSCRIBE",
  "SYNC",
  "UNSUBSCRIBE",
  "UNWATCH",
  "WATCH",
]);
const CLIENT_ALLOWED = new Set(["GETNAME", "ID", "INFO", "LIST"]);

/**
 * Why a command cannot run over the shared connection (it would change that connection's state
 * or take it over), or undefined when it can. Use `/multi-exec` instead of MULTI/EXEC.
 */
export function unavailableReason(call: RedisCall): string | undefined {
  const sub = call.name === "CLIENT" ? String(call.args[0] ?? "").toUpperCase() : "";
  if (!CONNECTION_STATE.has(call.name) && (call.name !== "CLIENT" || CLIENT_ALLOWED.has(sub))) return undefined;
  const shown = sub ? `${call.name} ${sub}` : call.name;
  return `ERR Command is not available: '${shown}' (the REST stand-in shares one Redis connection; use /multi-exec for transactions)`;
}

const BLOCKING = new Set(["BLMOVE", "BLMPOP", "BLPOP", "BRPOP", "BRPOPLPUSH", "BZMPOP", "BZPOPMAX", "BZPOPMIN", "WAIT", "WAITAOF"]);

/** Whether a command may block the connection it runs on (it then gets a connection of its own). */
export function isBlocking(call: RedisCall): boolean {
  if (BLOCKING.has(call.name)) return true;
  if (call.name !== "XREAD" && call.name !== "XREADGROUP") return false;
  return call.args.some((arg) => typeof arg === "string" && arg.toUpperCase() === "BLOCK");
}
