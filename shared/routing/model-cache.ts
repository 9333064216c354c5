import type { Model } from "../../schema";
import type { Db } from "../storage/postgres/db";
import { findModel } from "../storage/postgres/models";

/** How stale a model record served from isolate memory may be. */
export const MODEL_CACHE_MS = 5000;

// Isolate-scoped on purpose: registry reads must not cost a Postgres statement per request.
const cache = new Map<string, { model: Model | null; until: number }>();

/**
 * The model by name, served from isolate memory for up to MODEL_CACHE_MS.
 * @example const model = await resolveModel(db, "mock-small");
 */
export async function resolveModel(db: Db, name: string, now = Date.now()): Promise<Model | null> {
  const hit = cache.get(name);
  if (hit && hit.until > now) return hit.model;
  const model = await findModel(db, name);
  cache.set(name, { model, until: now + MODEL_CACHE_MS });
  return model;
}
