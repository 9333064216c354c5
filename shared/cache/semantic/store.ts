import type { Index } from "@upstash/vector";
import type { Embedder } from "./embedding";
import { cosineFromScore, type SimilarityFunction, scoreFromCosine } from "./threshold";
import { type VerifyReason, verifyCandidate } from "./verify";

/** All the semantic cache needs from the Upstash Vector client (`@upstash/vector` or its `/cloudflare` build). */
export type VectorIndex = Pick<Index, "namespace" | "deleteNamespace" | "listNamespaces">;

/** Prefix of tenant namespaces: one namespace per tenant, nothing else in it. */
export const TENANT_NAMESPACE_PREFIX = "tenant:";
/** The tenant's namespace. @example tenantNamespace("3f2a…") // "tenant:3f2a…" */
export const tenantNamespace = (tenantId: string): string => `${TENANT_NAMESPACE_PREFIX}${tenantId}`;

/** Candidates fetched per lookup; the best that passes threshold and verification wins. */
export const SEMANTIC_TOP_K = 3;

/** What each vector carries besides the embedding. Vector id = entry id (the exact hash). */
export type SemanticMetadata = {
  /** Scope hash (`semanticScope`): a candidate must have exactly the query's. */
  scope: string;
  /** Unix seconds after which the vector is dead (filtered out; `sweepExpired` deletes it). */
  expiresAt: number;
  /** The model that answered. */
  model: string;
  /** Where the answer is: see {@link toPointer}. */
  pointer: string;
  /** The embedded text, when the vector was embedded client-side (data mode keeps it as `data`). */
  text?: string;
};

/** One stored question close to the query, in scope and alive. */
export type SemanticCandidate = {
  id: string;
  /** Upstash's normalised score. */
  score: number;
  /** The same as raw cosine similarity. */
  cosine: number;
  /** The stored question (the last user turn it answered). */
  text: string;
  pointer: string;
  model: string;
  expiresAt: number;
};

export type QueryOptions = {
  tenantId: string;
  scopeHash: string;
  /** The query's last user turn. */
  text: string;
  /** Unix seconds. */
  now: number;
  /** @default SEMANTIC_TOP_K */
  topK?: number;
  /** Embed client-side instead of Upstash's data mode (then `remember` must use the same embedder). */
  embedder?: Embedder;
  /** The index's similarity function. @default "COSINE" */
  similarity?: SimilarityFunction;
};

const HASH = /^[0-9a-f]{64}$/;

function assertFilterSafe(scopeHash: string, now: number): void {
  // Both go into a filter string: accept only what cannot change its meaning.
  if (!HASH.test(scopeHash)) throw new TypeError("scopeHash must be a SHA-256 hex digest");
  if (!Number.isFinite(now)) throw new TypeError("now must be a finite number");
}

/**
 * The tenant's in-scope, unexpired vectors nearest to `text`, best first, with the texts they were
 * stored for: one query (`query-data` in data mode) in the tenant's namespace, filtered by
 * `scope = '<hash>' AND expiresAt > <now>`, and the same checks again on what comes back.
 */
export async function queryCandidates(index: VectorIndex, opts: QueryOptions): Promise<SemanticCandidate[]> {
  assertFilterSafe(opts.scopeHash, opts.now);
  const ns = index.namespace(tenantNamespace(opts.tenantId));
  const common = {
    topK: opts.topK ?? SEMANTIC_TOP_K,
    filter: `scope = '${opts.scopeHash}' AND expiresAt > ${opts.now}`,
    includeMetadata: true,
    includeData: !opts.embedder,
  };
  const results = opts.embedder
    ? await ns.query<SemanticMetadata>({ ...common, vector: await opts.embedder.embed(opts.text, { tenantId: opts.tenantId }) })
    : await ns.query<SemanticMetadata>({ ...common, data: opts.text });
  const out: SemanticCandidate[] = [];
  for (const r of results) {
    const m = r.metadata;
    const text = opts.embedder ? m?.text : r.data;
    if (!m || m.scope !== opts.scopeHash || !(m.expiresAt > opts.now) || typeof text !== "string" || typeof m.pointer !== "string")
      continue;
    out.push({
      id: String(r.id),
      score: r.score,
      cosine: cosineFromScore(r.score, opts.similarity),
      text,
      pointer: m.pointer,
      model: m.model,
      expiresAt: m.expiresAt,
    });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Why a candidate was not served. */
export type Rejection = { id: string; score: number; reason: "threshold" | VerifyReason };

/**
 * The best candidate at or above the threshold (raw cosine) whose text verifies against the query
 * (`verifyCandidate`), plus why the others were turned down. Pure; `lookup` uses it.
 */
export function pickCandidate(
  candidates: SemanticCandidate[],
  opts: { text: string; threshold: number; similarity?: SimilarityFunction },
): { hit: SemanticCandidate | null; rejected: Rejection[] } {
  const minScore = scoreFromCosine(opts.threshold, opts.similarity);
  const rejected: Rejection[] = [];
  for (const c of candidates) {
    if (c.score < minScore) {
      rejected.push({ id: c.id, score: c.score, reason: "threshold" });
      continue;
    }
    const verdict = verifyCandidate(opts.text, c.text);
    if (verdict.ok) return { hit: c, rejected };
    rejected.push({ id: c.id, score: c.score, reason: verdict.reason });
  }
  return { hit: null, rejected };
}

export type LookupOptions = QueryOptions & {
  /** Raw cosine similarity a candidate needs (`thresholdFor(embedder)`); translated to the index's score here. */
  threshold: number;
};

/**
 * A verified semantic hit or null: {@link queryCandidates} then {@link pickCandidate}. The caller
 * still opens the entry behind `pointer` (and treats a missing or unopenable entry as a miss).
 * @example
 * const scope = await semanticScope(tenant.id, variant, body);
 * const hit = scope && (await lookup(index, { tenantId: tenant.id, scopeHash: scope.scopeHash, text: scope.lastUserText,
 *   threshold: thresholdFor(EMBEDDER), now: Math.floor(Date.now() / 1000) }));
 */
export async function lookup(index: VectorIndex, opts: LookupOptions): Promise<SemanticCandidate | null> {
  return pickCandidate(await queryCandidates(index, opts), opts).hit;
}

export type RememberOptions = {
  tenantId: string;
  /** The entry id: the exact hash (`exactHash`), so a repeated answer overwrites its vector. */
  id: string;
  /** The last user turn the answer was for (`semanticScope(...).lastUserText`). */
  text: string;
  scopeHash: string;
  /** Unix seconds; the same instant the Redis entry expires. */
  expiresAt: number;
  model: string;
  pointer: string;
  /** Must be the embedder `lookup` uses; absent = data mode. */
  embedder?: Embedder;
};

/**
 * Stores (or replaces) one question in the tenant's namespace: `upsert-data` with `text` in data mode,
 * else the client-side vector with the text in metadata.
 * @example ctx.waitUntil(remember(index, { tenantId, id: hash, text, scopeHash, expiresAt, model, pointer }))
 */
export async function remember(index: VectorIndex, opts: RememberOptions): Promise<void> {
  assertFilterSafe(opts.scopeHash, opts.expiresAt);
  const ns = index.namespace(tenantNamespace(opts.tenantId));
  const metadata: SemanticMetadata = { scope: opts.scopeHash, expiresAt: opts.expiresAt, model: opts.model, pointer: opts.pointer };
  if (opts.embedder) {
    const vector = await opts.embedder.embed(opts.text, { tenantId: opts.tenantId });
    await ns.upsert<SemanticMetadata>({ id: opts.id, vector, metadata: { ...metadata, text: opts.text } });
  } else {
    await ns.upsert<SemanticMetadata>({ id: opts.id, data: opts.text, metadata });
  }
}

/** Deletes one entry's vector (e.g. when its Redis entry is gone or would not open). */
export async function forget(index: VectorIndex, tenantId: string, id: string): Promise<void> {
  await index.namespace(tenantNamespace(tenantId)).delete(id);
}

/** Drops the tenant's whole namespace (tenant deleted, or its cache purged). A missing namespace is fine. */
export async function purgeTenant(index: VectorIndex, tenantId: string): Promise<void> {
  try {
    await index.deleteNamespace(tenantNamespace(tenantId));
  } catch (err) {
    if (!/does not exist|not found/i.test(String((err as Error)?.message))) throw err;
  }
}

/**
 * Deletes a namespace's expired vectors (`expiresAt <= now`, unix seconds) and returns how many. Lookups
 * already ignore them; this reclaims the space.
 */
export async function sweepExpired(index: VectorIndex, namespace: string, now: number): Promise<number> {
  if (!Number.isFinite(now)) throw new TypeError("now must be a finite number");
  const { deleted } = await index.namespace(namespace).delete({ filter: `expiresAt <= ${now}` });
  return deleted;
}

/** {@link sweepExpired} over every tenant namespace (for the scheduled job). */
export async function sweepAllExpired(index: VectorIndex, now: number): Promise<number> {
  let total = 0;
  for (const ns of await index.listNamespaces()) {
    if (ns.startsWith(TENANT_NAMESPACE_PREFIX)) total += await sweepExpired(index, ns, now);
  }
  return total;
}

/** Sealed entries up to this size ride inline in the vector's metadata: a semantic hit then needs no Redis read. */
export const INLINE_POINTER_MAX_CHARS = 8 * 1024;

/** Where a semantic entry's answer lives. */
export type EntryPointer = { kind: "inline"; sealed: string } | { kind: "redis"; key: string };

/**
 * The pointer to store: the sealed entry itself when small, else its Redis key (without
 * `REDIS_KEY_PREFIX`). @example const pointer = toPointer(key, sealed);
 */
export const toPointer = (redisKey: string, sealed: string): string =>
  sealed.length <= INLINE_POINTER_MAX_CHARS ? `inline:${sealed}` : `redis:${redisKey}`;

/** Reads a pointer written by {@link toPointer}; null for anything else. */
export function parsePointer(pointer: string): EntryPointer | null {
  if (pointer.startsWith("inline:")) return { kind: "inline", sealed: pointer.slice(7) };
  if (pointer.startsWith("redis:")) return { kind: "redis", key: pointer.slice(6) };
  return null;
}
