import type { Redis } from "@upstash/redis/cloudflare";
import type { Index } from "@upstash/vector/cloudflare";
import type { ChatCompletionRequest } from "../openai/chat-request";
import { isolateCached } from "../routing/isolate-cache";
import { openEntry, sealEntry } from "./codec";
import { type CacheControls, type CacheStatus, cacheControls } from "./controls";
import type { CacheEntry } from "./entry";
import { cacheable, EXACT_KEY_PREFIX, exactHash, type SemanticScope, semanticScope } from "./keys";
import { forget, lookup, parsePointer, remember, toPointer } from "./semantic/store";
import { thresholdFor } from "./semantic/threshold";
import type { CacheSettings } from "./settings";

/** What the cache does for one request, decided before the preflight (which reads the exact entry). */
export type CacheDecision = {
  tenantId: string;
  settings: CacheSettings;
  controls: CacheControls;
  /** The tenant's mode allows caching this request (e.g. deterministic: temperature 0 or a seed). */
  eligible: boolean;
  /** `<prefix>cache:<tenant>:<hash>`: read in the preflight when `read`, written after a miss when `write`. */
  redisKey: string;
  entryId: string;
  /** The semantic scope, when the semantic cache is on and the request fits it. */
  scope: SemanticScope | null;
  /** The `x-edgeway-cache` value when nothing is served from cache. */
  statusWhenNotServed: Extract<CacheStatus, "miss" | "bypass">;
};

export type DecideOptions = {
  prefix: string;
  tenantId: string;
  /** Resolved model version and A/B variant, or null. */
  variant: string | null;
  settings: CacheSettings;
  headers: Headers;
  body: ChatCompletionRequest;
  /** Sealing needs it: without it nothing is cached (never stored unencrypted). */
  secret: string | undefined;
};

/**
 * Decides reading and writing for one request: the tenant's mode, the request's
 * `Cache-Control`/`x-edgeway-cache-ttl`, and the keys. Reports `bypass` when the request may not be
 * cached at all, `miss` when it may be but was not found (or `no-cache` skipped the lookup).
 */
export async function decideCache(o: DecideOptions): Promise<CacheDecision> {
  const controls = cacheControls(o.headers, { defaultTtlSeconds: o.settings.ttlSeconds });
  const eligible = o.secret !== undefined && cacheable(o.settings.mode, o.body);
  // Hashing costs CPU on every request: skip it when nothing will be read or written.
  const hash = eligible && (controls.read || controls.write) ? await exactHash(o.tenantId, o.variant, o.body) : "";
  const semantic = eligible && o.settings.semantic.enabled && (controls.read || controls.write);
  return {
    tenantId: o.tenantId,
    settings: o.settings,
    controls: eligible ? controls : { ...controls, read: false, write: false },
    eligible,
    redisKey: `${o.prefix}${EXACT_KEY_PREFIX}${o.tenantId}:${hash}`,
    entryId: hash,
    scope: semantic ? await semanticScope(o.tenantId, o.variant, o.body) : null,
    statusWhenNotServed: eligible ? controls.statusWhenNotRead : "bypass",
  };
}

export type CacheDeps = { redis: Redis; vector: Index; secret: string; now: number; waitUntil: (p: Promise<unknown>) => void };

// Isolate-scoped on purpose: the index's embedder does not change; asking costs a Vector call.
const embedders = new WeakMap<Index, (now?: number) => Promise<string>>();
function embedderOf(index: Index): Promise<string> {
  let get = embedders.get(index);
  if (!get) {
    get = isolateCached(3_600_000, async () => {
      const info = (await index.info()) as { denseIndex?: { embeddingModel?: string } };
      return info.denseIndex?.embeddingModel ?? "unknown";
    });
    embedders.set(index, get);
  }
  return get();
}

/**
 * A hit for the request: the exact entry the preflight read (`exactRaw`), else (when on) a
 * verified semantic candidate from the tenant's Vector namespace. An entry that will not open is a
 * miss (and a dangling semantic vector is forgotten).
 */
export async function findHit(
  deps: CacheDeps,
  d: CacheDecision,
  exactRaw: string | undefined,
): Promise<{ entry: CacheEntry; status: "hit" | "semantic-hit" } | null> {
  if (!d.controls.read) return null;
  const exact = exactRaw ? await openEntry(deps.secret, d.tenantId, exactRaw) : null;
  if (exact) return { entry: exact, status: "hit" };
  if (!d.scope) return null;
  const threshold = d.settings.semantic.threshold ?? thresholdFor(await embedderOf(deps.vector));
  const candidate = await lookup(deps.vector, {
    tenantId: d.tenantId,
    scopeHash: d.scope.scopeHash,
    text: d.scope.lastUserText,
    threshold,
    now: Math.floor(deps.now / 1000),
  }).catch(() => null);
  if (!candidate) return null;
  const pointer = parsePointer(candidate.pointer);
  const sealed =
    pointer?.kind === "inline"
      ? pointer.sealed
      : pointer?.kind === "redis"
        ? await deps.redis.get<string>(pointer.key).catch(() => null)
        : null;
  const entry = typeof sealed === "string" ? await openEntry(deps.secret, d.tenantId, sealed) : null;
  if (!entry) {
    deps.waitUntil(forget(deps.vector, d.tenantId, candidate.id).catch(() => {}));
    return null;
  }
  return { entry, status: "semantic-hit" };
}

/**
 * Seals a fresh answer for storage: returns the Redis write for the postflight script, and (when
 * the semantic cache applies) remembers the question in the tenant's Vector namespace.
 */
export async function storeEntry(
  deps: CacheDeps,
  d: CacheDecision,
  entry: CacheEntry,
): Promise<{ key: string; value: string; ttlSeconds: number }> {
  const sealed = await sealEntry(deps.secret, d.tenantId, entry);
  const ttlSeconds = d.controls.ttlSeconds;
  if (d.scope) {
    const expiresAt = Math.floor(deps.now / 1000) + ttlSeconds;
    deps.waitUntil(
      remember(deps.vector, {
        tenantId: d.tenantId,
        id: d.entryId,
        text: d.scope.lastUserText,
        scopeHash: d.scope.scopeHash,
        expiresAt,
        model: entry.model,
        pointer: toPointer(d.redisKey, sealed),
      }).catch((err) => console.warn(JSON.stringify({ level: "warn", msg: "semantic cache write failed", error: String(err) }))),
    );
  }
  return { key: d.redisKey, value: sealed, ttlSeconds };
}
