import type { Context } from "hono";
import type { ServedBy } from "../shared/metering/meter";
import { priceAt, withOwnRates } from "../shared/metering/prices";
import { admit } from "../shared/traffic/admission";
import { worstCostMicroUsd } from "../shared/traffic/reserve";
import type { HonoEnv } from "./env";

export type Bounds = {
  /** Who is expected to answer (the first candidate), for the budget escrow's worst case. */
  priced: ServedBy;
  promptTokens: number;
  completionTokens: number;
  user?: string;
  /** The exact-cache entry the same round trip reads. */
  cacheKey?: string;
  /** Deployment state hashes the same round trip reads (breakers, load). */
  deploymentKeys?: string[];
};

/**
 * Runs the request's limits, budget and deny list in one Redis round trip (see
 * shared/traffic/admission.ts), sets the rate-limit headers, and keeps the admission on the
 * context for the meter to settle after the response.
 * @throws GatewayError when refused (429 with the headers, or 403).
 */
export async function admitRequest(c: Context<HonoEnv>, bounds: Bounds): Promise<void> {
  const { traffic, redis, db, env } = c.get("services");
  const meter = c.get("meter");
  const { provider, upstreamModel, ownRates } = bounds.priced;
  const price = withOwnRates(await priceAt(db, provider, upstreamModel, meter.startedAt), ownRates);
  const user = bounds.user ?? c.req.header("x-edgeway-user");
  const ip = c.req.header("cf-connecting-ip");
  const admission = await admit(
    { traffic, redis, db },
    {
      prefix: env.REDIS_KEY_PREFIX,
      now: Date.now(),
      key: c.get("apiKey"),
      ...(user ? { user } : {}),
      ...(ip ? { ip } : {}),
      tokens: bounds.promptTokens + bounds.completionTokens,
      worstCostMicroUsd: worstCostMicroUsd(bounds.promptTokens, bounds.completionTokens, price),
      ...(bounds.cacheKey ? { cacheKey: bounds.cacheKey } : {}),
      ...(bounds.deploymentKeys ? { deploymentKeys: bounds.deploymentKeys } : {}),
    },
  );
  c.set("admission", admission);
  for (const [name, value] of Object.entries(admission.headers)) c.header(name, value);
}
