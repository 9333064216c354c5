/**
 * Edgeway's cache building blocks: pure functions and small adapters, no I/O of their own except
 * Web Crypto and the Vector client handed in. The request path composes them:
 *
 * 1. `cacheable(mode, body)` and `cacheControls(headers, …)` decide whether to read and write.
 * 2. Exact: `exactKey(tenantId, variant, body)` → Redis GET (in the single pre-call round trip) →
 *    `openEntry(secret, tenantId, raw)`.
 * 3. Semantic, on an exact miss: `semanticScope(...)` (null = skip) → `lookup(index, …)` (verified
 *    candidate) → `parsePointer` → inline sealed entry or a Redis GET → `openEntry`.
 * 4. Serve a hit: `completionFromEntry` (JSON) or `chunksFromEntry` + `replayStream` (SSE).
 * 5. After a miss (waitUntil): `recordChunks()` fed by the relay, or `entryFromCompletion(json)` →
 *    `sealEntry` → Redis SET with the TTL → `remember(index, …)` with `toPointer(key, sealed)`.
 * 6. Cron: `sweepAllExpired(index, now)`; tenant deletion: `purgeTenant`.
 */

export * from "./codec";
export * from "./controls";
export * from "./entry";
export * from "./keys";
export * from "./normalize";
export * from "./replay";
export * from "./semantic/embedding";
export * from "./semantic/store";
export * from "./semantic/threshold";
export * from "./semantic/verify";
export { CacheSettings } from "./settings";
