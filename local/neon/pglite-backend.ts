import { mkdir } from "node:fs/promises";
import net from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { Gate } from "./gate";
import { pipeGated } from "./gated-pipe";

/** An embedded PGlite database, reachable over TCP through a gate that serialises sessions. */
export interface PgliteBackend {
  /** Port of the gated front; the raw pglite-socket port is internal. */
  readonly port: number;
  /** `postgres://postgres:postgres@127.0.0.1:PORT/postgres` (any user, password and database name work). */
  readonly databaseUrl: string;
  /** Milliseconds PGlite took to open (about 3 s for a new data dir, a few hundred ms to reopen one). */
  readonly startupMs: number;
  /** Closes connections, stops the servers and closes PGlite cleanly so the data dir can be reopened. */
  close(): Promise<void>;
}

/**
 * Opens (creating if missing) the PGlite data dir, serves it with pglite-socket on an ephemeral port, and puts
 * a gated TCP front before it: pglite-socket multiplexes connections onto PGlite's single session message by
 * message, so concurrent extended-protocol queries would otherwise interleave.
 */
export async function startPglite(dataDir: string): Promise<PgliteBackend> {
  const started = Date.now();
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  const startupMs = Date.now() - started;
  const host = "127.0.0.1";
  const socketServer = new PGLiteSocketServer({ db, host, port: 0, maxConnections: 1000 });
  const gate = new Gate();
  const sockets = new Set<net.Socket>();
  let front: net.Server | null = null;
  try {
    await socketServer.start();
    const inner = { host, port: Number(socketServer.getServerConn().split(":").pop()) };
    front = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      pipeGated(socket, inner, gate);
    });
    await listen(front, host);
  } catch (error) {
    await socketServer.stop().catch(() => undefined);
    await db.close();
    throw error;
  }
  const port = (front.address() as net.AddressInfo).port;
  let closing: Promise<void> | null = null;

  const shutdown = async (server: net.Server) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await socketServer.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (db.isInTransaction()) await db.exec("ROLLBACK").catch(() => undefined);
    await db.close();
  };

  const frontServer = front;
  return {
    port,
    databaseUrl: `postgres://postgres:postgres@${host}:${port}/postgres`,
    startupMs,
    close() {
      closing ??= shutdown(frontServer);
      return closing;
    },
  };
}

function listen(server: net.Server, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
}
