import type { Redis } from "@upstash/redis/cloudflare";
import { GatewayError } from "../errors/gateway-error";
import type { Db } from "../storage/postgres/db";
import { spendSince } from "../storage/postgres/usage-report";
import type { Preflight, PreflightResult } from "./plan";
import { type Asking, budgetMonth, preflightPlan } from "./policy";
import type { TrafficScripts } from "./scripts";
import { rateLimitHeaders, refusal } from "./verdict";

export type AdmissionDeps = { traffic: TrafficScripts; redis: Redis; db: Db };

/** What a request holds once admitted: to settle after the response, and the headers to send. */
export type Admission =
  | { plan: Preflight; result: PreflightResult; headers: Record<string, string> }
  | { plan?: undefined; headers: Record<string, string>; unavailable: true };

/** A budget counter lives past its month's end so late settlements still land. */
const BUDGET_TTL_S = 40 * 86_400;

async function rebuildBudget(deps: AdmissionDeps, plan: Preflight, tenantId: string): Promise<void> {
  if (!plan.budget) return;
  const spent = await spendSince(deps.db, tenantId, new Date(`${budgetMonth(plan.now)}-01T00:00:00Z`));
  await deps.redis.set(plan.budget.key, spent, { nx: true, ex: BUDGET_TTL_S });
}

/**
 * Admits a request in one Redis round trip (the preflight script), or throws the 429/403 that
 * refuses it, with OpenAI's rate-limit headers either way. A tenant budget Redis does not know
 * (first request of a month, or Redis lost it) is rebuilt once from Postgres. When Redis is
 * unreachable the request is served without limits and logged (fail open), unless the tenant
 * asked to fail closed (503).
 * @throws GatewayError rate_limit_exceeded | budget_exceeded | permission_denied | service_unavailable
 */
export async function admit(deps: AdmissionDeps, asking: Asking): Promise<Admission> {
  const plan = preflightPlan(asking);
  let result: PreflightResult;
  try {
    result = await deps.traffic.preflight(plan);
    if (result.reason === "budget_unknown") {
      await rebuildBudget(deps, plan, asking.key.tenantId);
      result = await deps.traffic.preflight(plan);
    }
  } catch (cause) {
    if (asking.key.tenant.traffic?.failClosed) {
      throw new GatewayError("service_unavailable", "Limits cannot be checked right now and this tenant fails closed. Retry shortly.", {
        cause,
        retryAfterMs: 1000,
      });
    }
    console.warn(
      JSON.stringify({
        level: "warn",
        msg: "limits unavailable; serving without them (fail open)",
        tenantId: asking.key.tenantId,
        error: String(cause),
      }),
    );
    return { headers: {}, unavailable: true };
  }
  const headers = rateLimitHeaders(result, plan.now);
  if (!result.ok) throw refusal(plan, result, headers);
  return { plan, result, headers };
}
