/**
 * The Portkey peer (BENCH_PEERS=portkey): the published `@portkey-ai/gateway` npm package, installed
 * at run time into the bench's temporary folder and run with Node, routed to the same mock upstream.
 * `@hono/node-server` is pinned to 1.13.5 with an npm override (Portkey nests its own newer copy,
 * which does not stream here), and a preload makes it listen on loopback only.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stopChild } from "./workerd";

export const PORTKEY_VERSION = process.env.BENCH_PORTKEY_VERSION ?? "1.15.2";

export type Peer = { url: string; pid: number; version: string; headers: Record<string, string>; stop(): Promise<void> };

/** Forces servers that listen without a host (Portkey's `serve({ port })`) onto 127.0.0.1. */
const LOOPBACK_PRELOAD = `import net from "node:net";
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args[1] === undefined || typeof args[1] === "function")) args.splice(1, args[1] === undefined ? 1 : 0, "127.0.0.1");
  else if (args[0] && typeof args[0] === "object" && !args[0].host && !args[0].path) args[0] = { ...args[0], host: "127.0.0.1" };
  return listen.apply(this, args);
};
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** How Portkey's process is started: pinned to `cpus`, under `wrap` (valgrind's, `npm run bench:instructions`), given `startMs` to answer. */
export type PeerStart = { cpus?: string | undefined; wrap?: string[]; startMs?: number };

/** Installs (bounded: 3 min) and starts Portkey; throws with the reason when it cannot. */
export async function startPortkey(
  dir: string,
  mockUrl: string,
  onClose: (stop: () => Promise<void>) => void,
  { cpus, wrap = [], startMs = 20_000 }: PeerStart = {},
): Promise<Peer> {
  const home = join(dir, "portkey");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, "package.json"),
    JSON.stringify({
      name: "edgeway-bench-peer",
      private: true,
      dependencies: { "@portkey-ai/gateway": PORTKEY_VERSION, "@hono/node-server": "1.13.5" },
      overrides: { "@hono/node-server": "1.13.5" },
    }),
  );
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd: home,
    encoding: "utf8",
    timeout: 180_000,
  });
  if (install.status !== 0)
    throw new Error(`npm install failed: ${(install.stderr || String(install.error)).trim().split("\n").slice(-2).join(" ")}`);
  const pkgDir = join(home, "node_modules/@portkey-ai/gateway");
  const version = (JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { version: string }).version;
  writeFileSync(join(home, "loopback.mjs"), LOOPBACK_PRELOAD);
  const port = await freePort();
  const args = ["--import", join(home, "loopback.mjs"), join(pkgDir, "build/start-server.js"), `--port=${port}`, "--headless"];
  const command = [...wrap, process.execPath, ...args];
  const [cmd, ...argv] = cpus ? ["taskset", "-c", cpus, ...command] : command;
  const child = spawn(cmd as string, argv, { cwd: home, stdio: "ignore", env: { ...process.env, NODE_ENV: "production" } });
  onClose(() => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portkey exited with ${child.exitCode}`);
    const up = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.body?.cancel().then(() => true) ?? true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`portkey did not answer within ${startMs / 1000} s`);
    await sleep(200);
  }
  return {
    url,
    pid: child.pid as number,
    version,
    headers: { "x-portkey-provider": "openai", "x-portkey-custom-host": `${mockUrl}/v1`, authorization: "Bearer x" },
    stop: () => stopChild(child),
  };
}
