import { createMiddleware } from "hono/factory";
import { attemptEvents, type LostAttempt } from "../../shared/metering/attempt-events";
import { estimateTokens } from "../../shared/metering/estimate";
import { type MeterDraft, priceUsage, settle } from "../../shared/metering/meter";
import { recordUsage } from "../../shared/metering/record";
import type { UsageEventJson } from "../../shared/metering/usage-event";
import { nextTurn } from "../../shared/runtime/defer";
import { checkBudgetAlert } from "../../shared/traffic/budget-alert";
import { settlement } from "../../shared/traffic/settlement";
import { toGatewayError } from "../app";
import type { HonoEnv } from "../env";

/** An aborted hedge may have been billed for its prompt: price the estimate it carries (at its deployment's rates). */
async function pricedAttempt(
  db: Parameters<typeof priceUsage>[0],
  e: UsageEventJson,
  lost: LostAttempt,
  at: Date,
): Promise<UsageEventJson> {
  if (!e.promptTokens || !e.provider || !e.upstreamModel) return e;
  const usage = { prompt_tokens: e.promptTokens, completion_tokens: 0, total_tokens: e.promptTokens };
  const { costMicroUsd, priceId } = await priceUsage(db, lost, usage, at);
  return { ...e, costMicroUsd, priceId };
}

/**
 * Meters every authenticated request of a client endpoint: the route fills `c.var.meter` (model,
 * who served it, usage or the stream's outcome); once the response is written this settles one
 * usage event (awaiting the end of a stream) and buffers it, off the hot path (waitUntil).
 * Register after `auth()`: a request without a tenant has no one to bill.
 * @example app.use("/v1/chat/completions", meter("chat"));
 */
export const meter = (endpoint: string) =>
  createMiddleware<HonoEnv>(async function meter(c, next) {
    const draft: MeterDraft = { requestId: c.get("requestId"), endpoint, startedAt: new Date(), t0: performance.now(), streamed: false };
    c.set("meter", draft);
    await next();
    const key = c.get("apiKey");
    if (!key) return;
    const { db, traffic, env } = c.get("services");
    const finish = {
      tenantId: key.tenantId,
      keyId: key.id,
      status: c.res.status,
      now: performance.now(),
      ...(c.error ? { errorCode: toGatewayError(c.error).code } : {}),
    };
    const deps = { traffic, db, keyPrefix: env.REDIS_KEY_PREFIX };
    // A turn later: the response is written before the event is built, priced and sealed.
    const work = nextTurn()
      .then(() => settle(db, draft, finish))
      .then(async (event) => {
        const cache = event.status < 400 && !event.errorCode ? await draft.cacheWrite?.().catch(() => undefined) : undefined;
        const recorded = await recordUsage(deps, event, {
          ...settlement(c.get("admission"), event),
          ...(cache ? { cache } : {}),
          ...(draft.breaker ? { breaker: draft.breaker } : {}),
        });
        const lostAttempts = draft.lostAttempts ?? [];
        if (lostAttempts.length > 0) {
          const estimate = estimateTokens(draft.promptText?.() ?? "");
          const events = attemptEvents(event, lostAttempts, estimate);
          for (const [i, lost] of lostAttempts.entries())
            await recordUsage(deps, await pricedAttempt(db, events[i] as UsageEventJson, lost, draft.startedAt));
        }
        return recorded;
      })
      .then(
        ({ budgetSpent }) =>
          budgetSpent !== undefined && checkBudgetAlert({ db }, key.tenantId, key.tenant.budget, budgetSpent, Date.now()),
      )
      .catch((err) =>
        console.error(JSON.stringify({ level: "error", msg: "usage event not settled", requestId: draft.requestId, error: String(err) })),
      );
    c.executionCtx.waitUntil(work);
  });
