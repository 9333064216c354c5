/** Per-request context and small response helpers shared by the provider handlers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plan } from "./faults";

export type Provider = "openai" | "anthropic" | "gemini";

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  deployment: string;
  /** Path with any `/d/<deployment>` prefix removed. */
  path: string;
  /** Raw query string (without "?"). */
  query: string;
  body: unknown;
  plan: Plan;
  /** The client went away (or the server destroyed the socket). */
  closed: boolean;
  /** The server destroyed the socket on purpose (reset / midstream-cut). */
  killed: boolean;
  onClose: (() => void) | null;
}

/** Resolves after ms, or as soon as the client disconnects; returns false when it did. */
export function wait(ctx: Ctx, ms: number): Promise<boolean> {
  if (ctx.closed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      ctx.onClose = null;
      resolve(!ctx.closed);
    }, ms);
    ctx.onClose = () => {
      clearTimeout(t);
      resolve(false);
    };
  });
}

export function sendJson(ctx: Ctx, status: number, body: unknown, headers?: Record<string, string>): void {
  if (ctx.closed) return;
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  ctx.res.end(text);
}

/** Destroys the socket without (finishing) a response. */
export function kill(ctx: Ctx): void {
  ctx.killed = true;
  ctx.req.socket.destroy();
}

export function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function queryParam(ctx: Ctx, name: string): string | null {
  if (!ctx.query) return null;
  return new URLSearchParams(ctx.query).get(name);
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Total wait before headers for a non-stream answer that would stream `pieces` chunks. */
export function nonStreamDelay(plan: Plan, pieces: number): number {
  return plan.ttftMs + plan.interChunkMs * Math.max(0, pieces - 1);
}
