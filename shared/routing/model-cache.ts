import type { Model } from "../../schema";
import type { Db } from "../storage/postgres/db";
import { listModels } from "../storage/postgres/models";
import { isolateCached } from "./isolate-cache";

/** How stale the registry served from isolate memory may be. */
export const MODEL_CACHE_MS = 5000;

// Isolate-scoped on purpose: registry reads must not cost a Postgres statement per request. The
// whole (small) registry is loaded at once, so a miss on an unknown name costs nothing either.
const registries = new WeakMap<Db, (now?: number) => Promise<Map<string, Model>>>();

function registry(db: Db) {
  let cached = registries.get(db);
  if (!cached) {
    cached = isolateCached(MODEL_CACHE_MS, async () => new Map((await listModels(db)).map((m) => [m.name, m])));
    registries.set(db, cached);
  }
  return cached;
}

/**
 * The model by name, from the registry cached in isolate memory for up to MODEL_CACHE_MS (stale
 * while Postgres is unreachable).
 * @example const model = await resolveModel(db, "mock-small");
 */
export async function resolveModel(db: Db, name: string, now = Date.now()): Promise<Model | null> {
  return (await registry(db)(now)).get(name) ?? null;
}

/** All models of the registry (same cache). */
export async function allModels(db: Db, now = Date.now()): Promise<Model[]> {
  return [...(await registry(db)(now)).values()];
}
