import type { Deployment, ModelPrice } from "../../schema";
import { isolateCached } from "../routing/isolate-cache";
import type { Db } from "../storage/postgres/db";
import { listPrices } from "../storage/postgres/model-prices";
import type { Rates } from "./cost";

/** How stale the price table served from isolate memory may be. */
export const PRICES_CACHE_MS = 5000;

// Isolate-scoped on purpose: pricing a request must not cost a Postgres statement.
const tables = new WeakMap<Db, (now?: number) => Promise<Map<string, ModelPrice[]>>>();

function table(db: Db) {
  let cached = tables.get(db);
  if (!cached) {
    cached = isolateCached(PRICES_CACHE_MS, async () => {
      const byModel = new Map<string, ModelPrice[]>();
      for (const price of await listPrices(db)) {
        const key = `${price.provider}/${price.model}`;
        byModel.set(key, [...(byModel.get(key) ?? []), price]);
      }
      return byModel;
    });
    tables.set(db, cached);
  }
  return cached;
}

/**
 * The price version in force at `at` for a provider's model (latest `effective_from` ≤ at), or
 * null when the model has no price (its usage is still metered, at cost 0, with no price id).
 */
export async function priceAt(db: Db, provider: string, model: string, at: Date, now = Date.now()): Promise<ModelPrice | null> {
  const versions = (await table(db)(now)).get(`${provider}/${model}`) ?? [];
  let found: ModelPrice | null = null;
  for (const v of versions) if (v.effectiveFrom.getTime() <= at.getTime()) found = v;
  return found;
}

/** A deployment's own rates (micro-USD per million tokens), each null when the deployment has none. */
export type OwnRates = Pick<Deployment, "inputMicroUsdPerMTok" | "outputMicroUsdPerMTok">;

/**
 * The rates a deployment's answers are billed at. With no rate of its own, the list price (or
 * none). With one or both of its own, those replace the list's input and output rates (a missing
 * one comes from the list, else 0) and are the whole price: every prompt token, cached or written
 * to a provider cache, at the input rate; every completion token, reasoning included, at the
 * output rate. The list's class prices describe the provider's list, not a negotiated rate.
 * @example withOwnRates(list, { inputMicroUsdPerMTok: 100_000, outputMicroUsdPerMTok: null })
 */
export function withOwnRates(list: ModelPrice | null, own: OwnRates | undefined): Rates | null {
  const input = own?.inputMicroUsdPerMTok ?? null;
  const output = own?.outputMicroUsdPerMTok ?? null;
  if (input === null && output === null) return list;
  return {
    inputMicroUsdPerMTok: input ?? list?.inputMicroUsdPerMTok ?? 0,
    outputMicroUsdPerMTok: output ?? list?.outputMicroUsdPerMTok ?? 0,
    cachedInputMicroUsdPerMTok: null,
    cacheWriteMicroUsdPerMTok: null,
    reasoningMicroUsdPerMTok: null,
  };
}
