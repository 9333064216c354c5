import type { Experiment, Variant } from "../../schema";

/** What assignment needs of an experiment. */
export type Assignable = { id: string; salt: string; variants: Variant[] };

/**
 * A uniform number in [0, 1) from SHA-256(`input`): the top 53 bits of the digest's first 8 bytes
 * divided by 2^53. Every multiple of 2^-53 is equally likely and exactly representable, so there is
 * no modulo bias and no rounding up to 1. The same input gives the same number in every isolate,
 * Worker and restart: no state is involved.
 */
export async function uniformHash(input: string): Promise<number> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input));
  const view = new DataView(digest);
  return (view.getUint32(0) * 2 ** 21 + (view.getUint32(4) >>> 11)) / 2 ** 53;
}

/**
 * Who is assigned: the request's end user (`user` field) when given, else the API key, prefixed
 * so a user literally named like a key id cannot share its arm by accident.
 * @example subjectOf({ user: body.user, keyId: apiKey.id }) // "user:alice"
 */
export const subjectOf = ({ user, keyId }: { user?: string | null; keyId: string }): string => (user ? `user:${user}` : `key:${keyId}`);

/**
 * The variant `subject` sees: SHA-256 of `salt:subject` → u in [0, 1) → the variant whose band of
 * the cumulative weights (in declared order, over *all* variants) holds u.
 *
 * A stopped variant keeps its band, and the band's traffic goes to the first variant not stopped
 * (the control, unless it is stopped itself). So stopping an arm moves only that arm's users, and
 * every other user keeps their arm; re-normalising the remaining weights instead would move users
 * at every band boundary. Changing weights does move users near the boundaries that shift.
 * Null when no variant can take traffic (none, all stopped, or no positive weight).
 * @example const variant = await assignVariant(experiment, subjectOf({ user, keyId }));
 */
export async function assignVariant(experiment: Assignable, subject: string): Promise<Variant | null> {
  const fallback = experiment.variants.find((v) => !v.stopped && v.weight > 0);
  if (!fallback) return null;
  const total = experiment.variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  const target = (await uniformHash(`${experiment.salt}:${subject}`)) * total;
  let upTo = 0;
  for (const variant of experiment.variants) {
    upTo += Math.max(0, variant.weight);
    if (target < upTo) return variant.stopped ? fallback : variant;
  }
  // Only reachable through float rounding of the sum at the very top of the range.
  const last = experiment.variants.findLast((v) => v.weight > 0);
  return last && !last.stopped ? last : fallback;
}

/**
 * Whether `subject`'s request is mirrored to the shadow version: a second hash, independent of the
 * assignment's (`shadow:` prefix), under `percent` (0–100). Sticky per subject like the assignment.
 * @example if (await shouldShadow(experiment, subject)) ctx.waitUntil(mirror(experiment.shadow.version));
 */
export async function shouldShadow(experiment: { salt: string; shadow?: { percent: number } | null }, subject: string): Promise<boolean> {
  const percent = experiment.shadow?.percent ?? 0;
  if (!(percent > 0)) return false;
  return (await uniformHash(`shadow:${experiment.salt}:${subject}`)) * 100 < percent;
}

/** What picking needs of an experiment. */
export type Pickable = Pick<Experiment, "tenantId" | "model" | "status">;

/**
 * The running experiment on `model` for this tenant: the tenant's own first, else a global one
 * (tenant null). When several match, the first in the list wins (the loader sorts oldest first, so
 * the choice is the same in every isolate).
 * @example const experiment = pickExperiment(await runningExperiments(db), { tenantId, model: body.model });
 */
export function pickExperiment<E extends Pickable>(
  experiments: readonly E[],
  { tenantId, model }: { tenantId: string; model: string },
): E | null {
  let global: E | null = null;
  for (const e of experiments) {
    if (e.status !== "running" || e.model !== model) continue;
    if (e.tenantId === tenantId) return e;
    if (e.tenantId === null) global ??= e;
  }
  return global;
}
