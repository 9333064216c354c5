import type { Redis } from "@upstash/redis/cloudflare";
import type { Index } from "@upstash/vector/cloudflare";
import { type Env, parseEnv } from "./config/env";
import { createDb, type Db } from "./storage/postgres/db";
import { createRedis } from "./storage/redis";
import { createVectorIndex } from "./storage/vector";
import { type TrafficScripts, trafficScripts } from "./traffic/scripts";

/** The validated env and the store clients, all stateless over HTTP. */
export type Services = {
  env: Env;
  redis: Redis;
  db: Db;
  vector: Index;
  /** The per-request preflight and postflight Redis scripts. */
  traffic: TrafficScripts;
};

// Per isolate on purpose: the clients hold no per-request state, and rebuilding them per request
// would cost CPU on the hot path. Keyed by the runtime's env object.
const perIsolate = new WeakMap<object, Services>();

/**
 * The services for this env, built once per env object (i.e. per isolate).
 * @throws ConfigError when the env is invalid.
 * @example const { redis, db } = servicesFor(env);
 */
export function servicesFor(raw: object): Services {
  let built = perIsolate.get(raw);
  if (!built) {
    const env = parseEnv(raw);
    built = { env, redis: createRedis(env), db: createDb(env), vector: createVectorIndex(env), traffic: trafficScripts(env) };
    perIsolate.set(raw, built);
  }
  return built;
}
