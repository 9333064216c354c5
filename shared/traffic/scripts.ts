import type { Env } from "../config/env";
import { createRedis } from "../storage/redis";
import { POSTFLIGHT_LUA, PREFLIGHT_LUA } from "./lua";
import { decodePreflight, encodePostflight, encodePreflight, type Postflight, type Preflight, type PreflightResult } from "./plan";

/** The two per-request Redis calls: one before the upstream call, one after the response. */
export type TrafficScripts = {
  preflight(plan: Preflight): Promise<PreflightResult>;
  /** Returns the month's spend after settling, when a budget applied and is known. */
  postflight(plan: Postflight): Promise<{ budgetSpent?: number }>;
};

/**
 * The scripts over a client of their own: replies hold cache entries and codes that must stay raw
 * strings, so this client never JSON-parses results (the shared one does). EVALSHA first, EVAL
 * when Redis does not know the script yet (@upstash/redis `Script.exec`).
 * @example const { ok, cached } = await trafficScripts(env).preflight(plan);
 */
export function trafficScripts(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">): TrafficScripts {
  const redis = createRedis(env, { raw: true });
  const pre = redis.createScript<unknown[]>(PREFLIGHT_LUA);
  const post = redis.createScript<unknown[]>(POSTFLIGHT_LUA);
  return {
    async preflight(plan) {
      const { keys, args } = encodePreflight(plan);
      return decodePreflight(plan, await pre.exec(keys, args));
    },
    async postflight(plan) {
      const { keys, args } = encodePostflight(plan);
      const [spent] = await post.exec(keys, args);
      return Number(spent) >= 0 ? { budgetSpent: Number(spent) } : {};
    },
  };
}
