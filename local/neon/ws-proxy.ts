import type { IncomingMessage } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { FrontendStream } from "./frontend-stream";
import { isLoopbackHost, type LoopbackTarget, parseHostPort } from "./loopback";
import type { NeonStats } from "./stats";

/** The `/v2?address=host:port` WebSocket → TCP tunnel used by the Neon driver's Client and Pool. */
export interface WsProxy {
  /** Handles an HTTP upgrade request already routed to `/v2`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Drops every open tunnel. */
  close(): Promise<void>;
}

/**
 * Creates the tunnel. It accepts loopback destinations only, counts simple-query ('Q') and Execute ('E')
 * messages as statements, and ends the TCP side after the client's Terminate ('X'), which PGlite ignores.
 */
export function createWsProxy(stats: NeonStats): WsProxy {
  const wss = new WebSocketServer({ noServer: true });
  const tunnels = new Set<() => void>();

  const refuse = (socket: Duplex, status: string, message: string) => {
    stats.counters.errors += 1;
    socket.end(
      `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  };

  return {
    handleUpgrade(req, socket, head) {
      const address = new URL(req.url ?? "/", "http://127.0.0.1").searchParams.get("address") ?? "";
      const target = parseHostPort(address);
      if (!target) return refuse(socket, "400 Bad Request", `invalid address: ${address}`);
      if (!isLoopbackHost(target.host)) return refuse(socket, "403 Forbidden", `only loopback addresses are allowed: ${address}`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        stats.counters.wsConnections += 1;
        const stop = tunnel(ws, target, stats, () => tunnels.delete(stop));
        tunnels.add(stop);
      });
    },
    async close() {
      for (const stop of [...tunnels]) stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function tunnel(ws: WebSocket, target: LoopbackTarget, stats: NeonStats, onEnd: () => void): () => void {
  const tcp = net.connect({ host: target.host, port: target.port });
  tcp.setNoDelay(true);
  const frontend = new FrontendStream();
  let ended = false;

  const end = () => {
    if (ended) return;
    ended = true;
    tcp.end();
    tcp.destroySoon();
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    onEnd();
  };

  ws.on("message", (data: RawData) => {
    const chunk = toBuffer(data);
    tcp.write(chunk);
    for (const message of frontend.push(chunk)) {
      if (message.type === "Q" || message.type === "E") stats.counters.wsStatements += 1;
      if (message.type === "X") tcp.end();
    }
  });
  tcp.on("data", (chunk: Buffer) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(chunk, { binary: true });
  });
  tcp.on("error", () => {
    if (!ended) stats.counters.errors += 1;
    end();
  });
  tcp.on("close", end);
  ws.on("close", end);
  ws.on("error", end);

  return () => {
    end();
    tcp.destroy();
    ws.terminate();
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
