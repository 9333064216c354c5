import { isolateCached } from "../routing/isolate-cache";
import type { Db } from "../storage/postgres/db";
import { listRunningExperiments, type RunningExperiment } from "../storage/postgres/experiments";
import { pickExperiment } from "./assign";

export type { RunningExperiment };

/** How stale the running experiments served from isolate memory may be (a stop or weight change bites within this). */
export const EXPERIMENT_CACHE_MS = 5000;

// Isolate-scoped on purpose: the request path must not cost a Postgres statement per request. The
// running experiments are few, so all of them are loaded at once (an unknown model costs nothing).
// Stale-while-unreachable like the model registry: a failed reload serves the last list.
const caches = new WeakMap<Db, (now?: number) => Promise<RunningExperiment[]>>();

/**
 * Every running experiment (oldest first), from isolate memory for up to EXPERIMENT_CACHE_MS.
 * @example const all = await runningExperiments(services.db);
 */
export function runningExperiments(db: Db, now = Date.now()): Promise<RunningExperiment[]> {
  let cached = caches.get(db);
  if (!cached) {
    cached = isolateCached(EXPERIMENT_CACHE_MS, () => listRunningExperiments(db));
    caches.set(db, cached);
  }
  return cached(now);
}

/**
 * The running experiment this tenant's request on `model` belongs to (the tenant's own first, else
 * a global one), or null. Same cache as `runningExperiments`.
 * @example
 * const experiment = await experimentFor(db, { tenantId: key.tenantId, model: body.model });
 * const variant = experiment && (await assignVariant(experiment, subjectOf({ user: body.user, keyId: key.id })));
 */
export async function experimentFor(
  db: Db,
  scope: { tenantId: string; model: string },
  now = Date.now(),
): Promise<RunningExperiment | null> {
  return pickExperiment(await runningExperiments(db, now), scope);
}
