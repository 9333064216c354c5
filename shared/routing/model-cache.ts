import type { Model } from "../../schema";
import type { Db } from "../storage/postgres/db";
import { listModels } from "../storage/postgres/models";

/** How stale the registry served from isolate memory may be. */
export const MODEL_CACHE_MS = 5000;

// Isolate-scoped on purpose: registry reads must not cost a Postgres statement per request. The
// whole (small) registry is loaded at once, so a miss on an unknown name costs nothing either.
let cache: { byName: Map<string, Model>; until: number; loading?: Promise<Map<string, Model>> } | undefined;

async function registry(db: Db, now: number): Promise<Map<string, Model>> {
  if (cache && cache.until > now) return cache.byName;
  if (cache?.loading) return cache.loading;
  const loading = listModels(db).then((rows) => new Map(rows.map((m) => [m.name, m])));
  cache = { byName: cache?.byName ?? new Map(), until: 0, loading };
  try {
    const byName = await loading;
    cache = { byName, until: now + MODEL_CACHE_MS };
    return byName;
  } catch (err) {
    cache = undefined;
    throw err;
  }
}

/**
 * The model by name, from the registry cached in isolate memory for up to MODEL_CACHE_MS.
 * @example const model = await resolveModel(db, "mock-small");
 */
export async function resolveModel(db: Db, name: string, now = Date.now()): Promise<Model | null> {
  return (await registry(db, now)).get(name) ?? null;
}

/** All models of the registry (same cache). */
export async function allModels(db: Db, now = Date.now()): Promise<Model[]> {
  return [...(await registry(db, now)).values()];
}
