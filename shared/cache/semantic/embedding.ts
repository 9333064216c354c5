/**
 * Client-side embedding, for indexes without a hosted model (a provider's embedding model through
 * the provider registry). Not needed in data mode, where Upstash Vector embeds `data` itself on
 * query and upsert, so there is nothing for the gateway to cache.
 */
export interface Embedder {
  /** Model name; part of every cache key, and the key of its default threshold. */
  readonly name: string;
  /** One unit-length vector for `text`. `tenantId` scopes caches; the model ignores it. */
  embed(text: string, ctx: { tenantId: string }): Promise<number[]>;
}

/** A second-level cache for embeddings (e.g. Redis, keys already tenant-scoped by the caller). */
export interface EmbeddingCacheStore {
  get(key: string): Promise<number[] | null>;
  set(key: string, vector: number[]): Promise<void>;
}

export type CachedEmbedderOptions = {
  /** Vectors kept per isolate. @default 256 */
  maxEntries?: number;
  /** Consulted after the isolate cache; failures are ignored (the cache is an optimisation). */
  store?: EmbeddingCacheStore;
};

/**
 * Wraps an embedder with an isolate-scoped LRU (and an optional shared store). Keys hold the tenant,
 * so one tenant can never observe, even by timing, that another embedded the same text.
 * @example const embedder = cachedEmbedder(providerEmbedder, { maxEntries: 512 });
 */
export function cachedEmbedder(inner: Embedder, opts: CachedEmbedderOptions = {}): Embedder {
  const max = opts.maxEntries ?? 256;
  // Isolate-scoped on purpose: an embedding is a pure function of (model, text); losing it costs one call.
  const lru = new Map<string, number[]>();
  const remember = (key: string, vector: number[]) => {
    lru.delete(key);
    lru.set(key, vector);
    if (lru.size > max) lru.delete(lru.keys().next().value as string);
  };
  return {
    name: inner.name,
    async embed(text, ctx) {
      const key = `emb:${ctx.tenantId}:${inner.name}:${text}`;
      const hit = lru.get(key);
      if (hit) {
        remember(key, hit);
        return hit;
      }
      const stored = await opts.store?.get(key).catch(() => null);
      if (stored) {
        remember(key, stored);
        return stored;
      }
      const vector = await inner.embed(text, ctx);
      remember(key, vector);
      await opts.store?.set(key, vector).catch(() => {});
      return vector;
    },
  };
}
