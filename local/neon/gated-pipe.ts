import net from "node:net";
import { BackendStream } from "./backend-stream";
import { type FrontendMessage, FrontendStream } from "./frontend-stream";
import type { Gate, GateRelease } from "./gate";
import type { LoopbackTarget } from "./loopback";

const SYNC_POINTS = new Set(["startup", "Q", "S", "F"]);
const EXTENDED_QUERY = new Set(["P", "B", "D", "E", "C", "H"]);

/**
 * Pipes a Postgres client connection to `upstream`, holding `gate` from the client's first message until the
 * server is idle again (ReadyForQuery 'I' with nothing pending), so sessions never interleave mid-query or
 * mid-transaction. Terminate ('X') is not forwarded: both sockets are closed instead, as Postgres would.
 */
export function pipeGated(client: net.Socket, upstream: LoopbackTarget, gate: Gate): void {
  const server = net.connect({ host: upstream.host, port: upstream.port });
  client.setNoDelay(true);
  server.setNoDelay(true);
  const frontend = new FrontendStream();
  const backend = new BackendStream();
  const queue: FrontendMessage[] = [];
  let release: GateRelease | null = null;
  let acquiring = false;
  let outstanding = 0;
  let unsynced = false;
  let ended = false;

  const end = () => {
    if (ended) return;
    ended = true;
    release?.();
    release = null;
    client.end();
    server.end();
    client.destroySoon();
    server.destroySoon();
  };

  const forward = (message: FrontendMessage) => {
    if (SYNC_POINTS.has(message.type)) {
      outstanding += 1;
      unsynced = false;
    } else if (EXTENDED_QUERY.has(message.type)) {
      unsynced = true;
    } else if (message.type === "ssl" || message.type === "gss") {
      backend.expectRawByte();
    }
    server.write(message.bytes);
  };

  const pump = async (): Promise<void> => {
    while (queue.length > 0 && !ended) {
      if (!release) {
        if (acquiring) return;
        acquiring = true;
        const granted = await gate.acquire();
        acquiring = false;
        if (ended) return granted();
        release = granted;
      }
      const message = queue.shift();
      if (!message) break;
      if (message.type === "X") return end();
      forward(message);
    }
  };

  client.on("data", (chunk: Buffer) => {
    for (const message of frontend.push(chunk)) {
      if (message.type === "cancel" || message.type === "raw") server.write(message.bytes);
      else queue.push(message);
    }
    void pump();
  });

  server.on("data", (chunk: Buffer) => {
    client.write(chunk);
    for (const status of backend.push(chunk)) {
      outstanding = Math.max(0, outstanding - 1);
      if (outstanding === 0 && status === "I" && !unsynced && release) {
        release();
        release = null;
        void pump();
      }
    }
  });

  for (const socket of [client, server]) {
    socket.on("error", end);
    socket.on("close", end);
  }
}
