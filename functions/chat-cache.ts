import type { Context } from "hono";
import { CACHE_STATUS_HEADER } from "../shared/cache/controls";
import { type CacheEntry, entryFromCompletion, recordChunks } from "../shared/cache/entry";
import { chunksFromEntry, completionFromEntry, replayStream } from "../shared/cache/replay";
import { type CacheDecision, type CacheDeps, decideCache, findHit, storeEntry } from "../shared/cache/request-cache";
import { CacheSettings } from "../shared/cache/settings";
import { openAIStreamEncoder, type StreamEncoder } from "../shared/chat/stream-encoder";
import type { ChatCompletionRequest } from "../shared/openai/chat-request";
import type { ChatCompletion, ChatCompletionChunk } from "../shared/openai/types";
import type { HonoEnv } from "./env";

const DEFAULTS = CacheSettings.parse({});

function deps(c: Context<HonoEnv>): CacheDeps | undefined {
  const { redis, vector, env } = c.get("services");
  const secret = env.ENCRYPTION_KEY;
  return secret ? { redis, vector, secret, now: Date.now(), waitUntil: (p) => c.executionCtx.waitUntil(p) } : undefined;
}

/**
 * The cache decision of a chat request (tenant settings, request controls, keys). `variant` names
 * what was resolved before the lookup and changes the answer (registry version, A/B variant).
 */
export function decideChatCache(c: Context<HonoEnv>, body: ChatCompletionRequest, variant: string | null = null): Promise<CacheDecision> {
  const key = c.get("apiKey");
  const { env } = c.get("services");
  return decideCache({
    prefix: env.REDIS_KEY_PREFIX,
    tenantId: key.tenantId,
    variant,
    settings: key.tenant.cache ?? DEFAULTS,
    headers: c.req.raw.headers,
    body,
    secret: env.ENCRYPTION_KEY,
  });
}

export type ServeOptions = { encoder?: StreamEncoder; render?: (completion: ChatCompletion) => unknown };

/**
 * Answers from the cache when the preflight's exact read (or the semantic lookup) found an entry:
 * JSON or a replayed stream, whatever form the entry was recorded in. No upstream call, no tokens;
 * the usage event records the hit and what it saved. Undefined on a miss.
 */
export async function serveFromCache(
  c: Context<HonoEnv>,
  d: CacheDecision,
  body: ChatCompletionRequest,
  opts: ServeOptions,
): Promise<Response | undefined> {
  const cacheDeps = deps(c);
  const admission = c.get("admission");
  const exactRaw = admission?.plan ? admission.result.cached : undefined;
  const hit = cacheDeps ? await findHit(cacheDeps, d, exactRaw) : null;
  if (!hit) {
    c.header(CACHE_STATUS_HEADER, d.statusWhenNotServed);
    return undefined;
  }
  const meter = c.get("meter");
  meter.cacheStatus = hit.status;
  meter.savedFrom = meter.servedBy;
  meter.servedBy = undefined;
  if (hit.entry.usage) meter.savedUsage = hit.entry.usage;
  c.header(CACHE_STATUS_HEADER, hit.status);
  c.header("x-edgeway-cost-usd", "0.000000");
  const replayMeta = { id: `chatcmpl-${c.get("requestId")}`, created: Math.floor(Date.now() / 1000), model: hit.entry.model };
  if (!body.stream) {
    const completion = completionFromEntry(hit.entry, replayMeta);
    return c.json(opts.render ? opts.render(completion) : completion, 200);
  }
  const chunks = chunksFromEntry(hit.entry, replayMeta, { includeUsage: body.stream_options?.include_usage === true });
  c.header("content-type", "text/event-stream; charset=utf-8");
  c.header("cache-control", "no-cache");
  return c.newResponse(replayStream(chunks, opts.encoder ?? openAIStreamEncoder()), 200);
}

/**
 * After a miss: arranges for the fresh answer to be stored (sealed, written by the postflight) once
 * it is complete. Returns the stream recorder to hand to the relay; the JSON form is stored from
 * the completion (`rememberCompletion`).
 */
export function recordForCache(
  c: Context<HonoEnv>,
  d: CacheDecision,
): { onChunk?: (chunk: ChatCompletionChunk) => void; remember: (completion: ChatCompletion) => void } {
  const cacheDeps = deps(c);
  const meter = c.get("meter");
  if (!cacheDeps || !d.controls.write) return { remember: () => {} };
  let entry: () => CacheEntry | null = () => null;
  const store = async () => {
    const ready = entry();
    return ready ? storeEntry(cacheDeps, d, ready) : undefined;
  };
  meter.cacheWrite = store;
  const recorder = recordChunks();
  return {
    onChunk: (chunk) => {
      recorder.add(chunk);
      entry = () => recorder.finish();
    },
    remember: (completion) => {
      entry = () => entryFromCompletion(completion);
    },
  };
}
