/** Writing successful answers: SSE streams and JSON bodies, honouring ttft/inter-chunk delays and midstream cuts. */
import { type Ctx, kill, nonStreamDelay, wait } from "./http";

export function sseData(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

export function sseEvent(event: string, obj: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(obj)}\n\n`;
}

function writeAsync(ctx: Ctx, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    ctx.res.write(chunk, () => resolve());
  });
}

async function cutNow(ctx: Ctx, lastWrite: Promise<void> | null): Promise<void> {
  if (lastWrite) await lastWrite;
  // Give the kernel a moment to hand the written bytes to the client before the socket goes.
  await wait(ctx, 15);
  if (!ctx.closed) kill(ctx);
}

/**
 * Streams pre-rendered frames: headers, ttftMs, then one frame per interChunkMs.
 * A "midstream-cut" fault stops after `cutAfterChunks` frames and destroys the socket.
 */
export async function streamFrames(
  ctx: Ctx,
  frames: readonly string[],
  contentType = "text/event-stream; charset=utf-8",
  headers?: Record<string, string>,
): Promise<void> {
  if (ctx.closed) return;
  const { plan } = ctx;
  const cut = plan.fault?.kind === "midstream-cut" ? Math.min(plan.fault.cutAfterChunks, Math.max(0, frames.length - 1)) : -1;
  ctx.res.writeHead(200, { "content-type": contentType, "cache-control": "no-cache", ...headers });
  if (cut < 0 && plan.ttftMs <= 0 && plan.interChunkMs <= 0) {
    ctx.res.end(frames.join(""));
    return;
  }
  ctx.res.flushHeaders();
  if (!(await wait(ctx, plan.ttftMs))) return;
  let last: Promise<void> | null = null;
  for (let i = 0; i < frames.length; i++) {
    if (i === cut) return cutNow(ctx, last);
    if (i > 0 && plan.interChunkMs > 0 && !(await wait(ctx, plan.interChunkMs))) return;
    if (ctx.closed) return;
    last = writeAsync(ctx, frames[i] as string);
  }
  ctx.res.end();
}

/**
 * Sends a successful JSON answer after the simulated generation time
 * (ttftMs + interChunkMs × (pieces − 1)). A "midstream-cut" fault sends the
 * headers (with the full Content-Length) and part of the body, then destroys the socket.
 */
export async function sendResult(ctx: Ctx, body: unknown, pieces: number, headers?: Record<string, string>): Promise<void> {
  if (!(await wait(ctx, nonStreamDelay(ctx.plan, pieces)))) return;
  const text = JSON.stringify(body);
  const len = Buffer.byteLength(text);
  ctx.res.writeHead(200, { "content-type": "application/json", "content-length": len, ...headers });
  if (ctx.plan.fault?.kind !== "midstream-cut") {
    ctx.res.end(text);
    return;
  }
  const part = Buffer.from(text).subarray(0, Math.floor(len / 2));
  await cutNow(
    ctx,
    new Promise<void>((resolve) => {
      ctx.res.write(part, () => resolve());
    }),
  );
}
