import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { pingRedis } from "./ping";

/** A redis-server child process this process started; `close()` stops it. */
export interface SpawnedRedis {
  url: string;
  port: number;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 5000;

/**
 * Starts `redis-server` from PATH on a free loopback port, without persistence. Rejects with an
 * error whose `code` is "ENOENT" when redis-server is not installed. The child is also killed if
 * this process exits without calling `close()`.
 */
export async function spawnRedisServer(): Promise<SpawnedRedis> {
  const port = await freePort();
  const args = ["--save", "", "--appendonly", "no", "--port", String(port), "--bind", "127.0.0.1"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-2000);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const close = async () => {
    process.off("exit", killOnExit);
    await stop(child);
  };
  try {
    await waitReady(child, port, () => output);
  } catch (err) {
    await close();
    throw err;
  }
  return { url: `redis://127.0.0.1:${port}`, port, close };
}

async function waitReady(child: ChildProcess, port: number, output: () => string): Promise<void> {
  let failure: Error | undefined;
  child.on("error", (err) => {
    failure = err;
  });
  child.once("exit", (code, signal) => {
    failure ??= new Error(`redis-server exited (${signal ?? code}) before answering PING: ${output().trim()}`);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (failure) throw failure;
    if (await pingRedis("127.0.0.1", port, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw failure ?? new Error(`redis-server did not answer PING on port ${port} within ${READY_TIMEOUT_MS} ms`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
