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
  /** Settles one finished request; concurrent requests' postflights share one round trip, or ride along the next preflight. */
  postflight(plan: Postflight): Promise<Settled>;
};

/**
 * How postflights of concurrent requests are gathered into one pipeline: the first waits 4 ms for
 * others (its response is already sent, so this delays only the settlement), at most 50 per
 * round trip and about 512 KiB of cache entries and usage events (Upstash caps a request at 1 MB).
 */
export const POSTFLIGHT_BATCH: BatchLimits = { windowMs: 4, maxItems: 50, maxSize: 512 * 1024 };

/** At most this much of waiting postflights rides along a preflight (the rest waits for its window). */
const RIDE_ALONG_MAX_SIZE = 64 * 1024;

type ScriptCall = { script: string; sha: string; keys: string[]; args: string[] };
type Reply = { result?: unknown; error?: string };

const settled = (reply: Reply): PromiseSettledResult<Settled> => {
  if (reply.error) return { status: "rejected", reason: new Error(`postflight failed: ${reply.error}`) };
  const spent = Number(Array.isArray(reply.result) ? reply.result[0] : Number.NaN);
  return { status: "fulfilled", value: spent >= 0 ? { budgetSpent: spent } : {} };
};

/**
 * Runs scripts as one pipeline of EVALSHA, in order, and those Redis did not know yet (NOSCRIPT:
 * nothing ran) again with EVAL. A command's own error is its reply's `error`.
 */
async function runScripts(redis: Redis, calls: ScriptCall[]): Promise<Reply[]> {
  const first = redis.pipeline();
  for (const c of calls) first.evalsha(c.sha, c.keys, c.args);
  const replies: Reply[] = await first.exec<unknown[]>({ keepErrors: true });
  const unknown = replies.flatMap((r, i) => (r.error?.startsWith("NOSCRIPT") ? [i] : []));
  if (unknown.length === 0) return replies;
  const again = redis.pipeline();
  for (const i of unknown) {
    const c = calls[i] as ScriptCall;
    again.eval(c.script, c.keys, c.args);
  }
  const retried: Reply[] = await again.exec<unknown[]>({ keepErrors: true });
  unknown.forEach((i, j) => {
    replies[i] = retried[j] ?? { error: "no reply" };
  });
  return replies;
}

/** What a postflight weighs in a batch: its stored text (cache entry, usage event) plus keys and codes. */
const weight = (plan: Postflight) => 512 + (plan.cache?.value.length ?? 0) + (plan.usage?.event.length ?? 0);

/**
 * The scripts over a client of their own: replies hold cache entries and codes that must stay raw
 * strings, so this client never JSON-parses results (the shared one does). The preflight runs
 * EVALSHA first, EVAL when Redis does not know the script yet (@upstash/redis `Script.exec`).
 * Postflights are batched per isolate (`POSTFLIGHT_BATCH`, shared/runtime/batch.ts), and the
 * next preflight takes the waiting ones along in its own round trip, ahead of itself; under load
 * most postflights so cost no round trip of their own.
 * @example const { ok, cached } = await trafficScripts(env).preflight(plan);
 */
export function trafficScripts(
  env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">,
  batch: BatchLimits = POSTFLIGHT_BATCH,
): TrafficScripts {
  const redis = createRedis(env, { raw: true });
  const pre = redis.createScript<unknown[]>(PREFLIGHT_LUA);
  // Computed by whichever request first needs them and kept as plain strings: a pending promise
  // must not be shared between requests on Workers.
  let shas: { pre: string; post: string } | undefined;
  const scriptShas = async () => {
    shas ??= { pre: await sha1Hex(PREFLIGHT_LUA), post: await sha1Hex(POSTFLIGHT_LUA) };
    return shas;
  };
  const postCall = (sha: string, plan: Postflight): ScriptCall => ({ script: POSTFLIGHT_LUA, sha, ...encodePostflight(plan) });
  const postflights = batcher<Postflight, Settled>(
    async (plans) => {
      const { post } = await scriptShas();
      return (
        await runScripts(
          redis,
          plans.map((p) => postCall(post, p)),
        )
      ).map(settled);
    },
    weight,
    batch,
  );

  return {
    async preflight(plan) {
      const { keys, args } = encodePreflight(plan);
      const riders = postflights.take(RIDE_ALONG_MAX_SIZE);
      if (!riders) return decodePreflight(plan, await pre.exec(keys, args));
      // The isolate's waiting postflights go first in the same round trip: they settle sooner,
      // and this request's limits see them (an in-flight slot just released counts as free).
      let replies: Reply[];
      try {
        const sha = await scriptShas();
        replies = await runScripts(redis, [
          ...riders.items.map((p) => postCall(sha.post, p)),
          { script: PREFLIGHT_LUA, sha: sha.pre, keys, args },
        ]);
      } catch (reason) {
        riders.settle({ status: "rejected", reason });
        throw reason;
      }
      const own = replies.pop() ?? { error: "no reply" };
      riders.settle(replies.map(settled));
      if (own.error) throw new Error(`preflight failed: ${own.error}`);
      return decodePreflight(plan, own.result as unknown[]);
    },
    postflight: postflights.call,
  };
}
