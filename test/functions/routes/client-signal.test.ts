import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../functions/index";
import { stack } from "../../helpers/workers/gateway";

/**
 * The client's AbortSignal outlives the request in workerd: a listener the request leaves on it
 * keeps everything the request built alive (the leak the bench's heap check found). Every listener
 * a chat request adds must be gone once its answer is delivered.
 */
async function listenersLeft(body: Record<string, unknown>): Promise<{ status: number; text: string; left: number; added: number }> {
  const controller = new AbortController();
  const request: Request<unknown, IncomingRequestCfProperties> = new Request("http://gateway.test/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack().apiKey}` },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const signal = request.signal;
  const live = new Set<unknown>();
  let added = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, fn: EventListener, opts?: boolean | { once?: boolean }) => {
    added++;
    live.add(fn);
    add(type, fn, opts);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: EventListener) => {
    live.delete(fn);
    remove(type, fn);
  }) as typeof signal.removeEventListener;
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, env as never, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text, left: live.size, added };
}

describe("the client's AbortSignal after a chat request", () => {
  const messages = [{ role: "user", content: "Say hi" }];

  it("has no listener left once a JSON answer is delivered", async () => {
    const r = await listenersLeft({ model: "mock-small", messages });
    expect(r.status).toBe(200);
    expect(r.added).toBeGreaterThan(0); // the request did tie itself to the client
    expect(r.left).toBe(0);
  });

  it("has no listener left once a stream has ended", async () => {
    const r = await listenersLeft({ model: "mock-small", messages, stream: true });
    expect(r.status).toBe(200);
    expect(r.text).toContain("data: [DONE]");
    expect(r.added).toBeGreaterThan(0);
    expect(r.left).toBe(0);
  });
});
