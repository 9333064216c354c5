import type { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../config/env";
import { sha1Hex } from "../crypto/digest";
import { type BatchLimits, batcher } from "../runtime/batch";
import { createRedis } from "../storage/redis";
import { POSTFLIGHT_LUA, PREFLIGHT_LUA } from "./lua";
import { decodePreflight, encodePostflight, encodePreflight, type Postflight, type Preflight, type PreflightResult } from "./plan";

/** What a postflight reports: the month's spend after settling, when a budget applied and is known. */
export type Settled = { budgetSpent?: number };

/** The two per-request Redis calls: one before the upstream call, one after the response. */
export type TrafficScripts = {
  preflight(plan: Preflight): Promise<PreflightResult>;
  /** Settles one finished request; concurrent requests' postflights share one round trip. */
  postflight(plan: Postflight): Promise<Settled>;
};

/**
 * How postflights of concurrent requests are gathered into one pipeline: the first waits 4 ms for
 * others (its response is already sent, so this delays only the settlement), at most 50 per
 * round trip and about 512 KiB of cache entries and usage events (Upstash caps a request at 1 MB).
 */
export const POSTFLIGHT_BATCH: BatchLimits = { windowMs: 4, maxItems: 50, maxSize: 512 * 1024 };

const settled = (reply: unknown): Settled => {
  const spent = Number(Array.isArray(reply) ? reply[0] : Number.NaN);
  return spent >= 0 ? { budgetSpent: spent } : {};
};

/**
 * Runs postflight scripts as one pipeline of EVALSHA, and those Redis did not know yet (NOSCRIPT:
 * nothing ran) again with EVAL. A command's own error fails that request's postflight only.
 */
async function postflightPipeline(redis: Redis, sha: string, plans: Postflight[]): Promise<PromiseSettledResult<Settled>[]> {
  const encoded = plans.map(encodePostflight);
  const first = redis.pipeline();
  for (const { keys, args } of encoded) first.evalsha(sha, keys, args);
  const replies = await first.exec<unknown[]>({ keepErrors: true });
  const unknown = replies.flatMap((r, i) => (r.error?.startsWith("NOSCRIPT") ? [i] : []));
  if (unknown.length > 0) {
    const again = redis.pipeline();
    for (const i of unknown) again.eval(POSTFLIGHT_LUA, encoded[i]?.keys ?? [], encoded[i]?.args ?? []);
    const retried = await again.exec<unknown[]>({ keepErrors: true });
    unknown.forEach((i, j) => {
      replies[i] = retried[j] ?? { error: "no reply", result: undefined };
    });
  }
  return replies.map((r) =>
    r.error
      ? { status: "rejected", reason: new Error(`postflight failed: ${r.error}`) }
      : { status: "fulfilled", value: settled(r.result) },
  );
}

/** What a postflight weighs in a batch: its stored text (cache entry, usage event) plus keys and codes. */
const weight = (plan: Postflight) => 512 + (plan.cache?.value.length ?? 0) + (plan.usage?.event.length ?? 0);

/**
 * The scripts over a client of their own: replies hold cache entries and codes that must stay raw
 * strings, so this client never JSON-parses results (the shared one does). The preflight runs
 * EVALSHA first, EVAL when Redis does not know the script yet (@upstash/redis `Script.exec`);
 * postflights are batched per isolate (`POSTFLIGHT_BATCH`, shared/runtime/batch.ts).
 * @example const { ok, cached } = await trafficScripts(env).preflight(plan);
 */
export function trafficScripts(
  env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">,
  batch: BatchLimits = POSTFLIGHT_BATCH,
): TrafficScripts {
  const redis = createRedis(env, { raw: true });
  const pre = redis.createScript<unknown[]>(PREFLIGHT_LUA);
  // Computed by whichever request first needs it and kept as a plain string: a pending promise
  // must not be shared between requests on Workers.
  let postSha: string | undefined;
  const postflight = batcher<Postflight, Settled>(
    async (plans) => {
      postSha ??= await sha1Hex(POSTFLIGHT_LUA);
      return postflightPipeline(redis, postSha, plans);
    },
    weight,
    batch,
  );
  return {
    async preflight(plan) {
      const { keys, args } = encodePreflight(plan);
      return decodePreflight(plan, await pre.exec(keys, args));
    },
    postflight,
  };
}
