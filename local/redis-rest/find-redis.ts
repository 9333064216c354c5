import { pingRedis } from "./ping";
import { spawnRedisServer } from "./spawn-redis";

/** Where Redis was found; `spawned` is set when this process started redis-server itself. */
export interface FoundRedis {
  url: string;
  spawned?: { close(): Promise<void> };
}

const NOT_FOUND = "Redis not found: install redis-server (apt-get install redis-server, brew install redis) or set REDIS_URL";

/**
 * Finds a Redis to talk to: `opts.url` or `REDIS_URL` as given (not probed); else 127.0.0.1:6379
 * if it answers PING within 500 ms; else a `redis-server` from PATH spawned on a free port
 * (stopped by `spawned.close()`); else throws a one-line "Redis not found" error.
 */
export async function findRedis(opts: { url?: string } = {}): Promise<FoundRedis> {
  const explicit = opts.url || process.env.REDIS_URL;
  if (explicit) return { url: explicit };
  if (await pingRedis("127.0.0.1", 6379, 500)) return { url: "redis://127.0.0.1:6379" };
  try {
    const spawned = await spawnRedisServer();
    return { url: spawned.url, spawned };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(NOT_FOUND);
    throw err;
  }
}
