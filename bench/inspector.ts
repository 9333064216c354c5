/**
 * A minimal Chrome DevTools Protocol client for a workerd process started with `--inspector-addr`:
 * JS heap after a full GC (the bench's leak check) and CPU profiles (`npm run bench:profile`).
 * Node 20 needs `--experimental-websocket` for the global WebSocket (the npm scripts pass it).
 */
import { createServer } from "node:net";

export type Inspector = {
  send<T = unknown>(method: string, params?: object): Promise<T>;
  close(): void;
};

/** A free loopback port for the inspector (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Opens a session on the first isolate. workerd handles inspector messages when its isolate runs,
 * so while a call is pending `poke` is called every 50 ms (e.g. a request to `/healthz`).
 */
export async function connectInspector(addr: string, poke: () => void): Promise<Inspector> {
  if (typeof WebSocket === "undefined") throw new Error("inspector: no global WebSocket (run Node with --experimental-websocket)");
  const list = (await (await fetch(`http://${addr}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = list[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error("inspector: no isolate listed");
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error("inspector: connection failed")), { once: true });
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: { message?: string } };
    const p = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id as number);
    if (msg.error) p.reject(new Error(`inspector: ${msg.error.message ?? "error"}`));
    else p.resolve(msg.result);
  });
  return {
    send: async <T>(method: string, params: object = {}) => {
      const id = next++;
      const reply = new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      });
      ws.send(JSON.stringify({ id, method, params }));
      const timer = setInterval(poke, 50);
      try {
        return await Promise.race([
          reply,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 60_000).unref()),
        ]);
      } finally {
        clearInterval(timer);
      }
    },
    close: () => ws.close(),
  };
}

/** Bytes of JS heap in use after a full garbage collection. */
export async function heapAfterGc(inspector: Inspector): Promise<number> {
  await inspector.send("HeapProfiler.collectGarbage");
  const { usedSize } = await inspector.send<{ usedSize: number }>("Runtime.getHeapUsage");
  return usedSize;
}
