import { createMiddleware } from "hono/factory";
import { type MeterDraft, settle } from "../../shared/metering/meter";
import { recordUsage } from "../../shared/metering/record";
import { checkBudgetAlert } from "../../shared/traffic/budget-alert";
import { settlement } from "../../shared/traffic/settlement";
import { toGatewayError } from "../app";
import type { HonoEnv } from "../env";

/**
 * Meters every authenticated request of a client endpoint: the route fills `c.var.meter` (model,
 * who served it, usage or the stream's outcome); after the response this settles one usage event
 * (awaiting the end of a stream) and buffers it, off the hot path (waitUntil). Register after
 * `auth()`: a request without a tenant has no one to bill.
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
    const work = settle(db, draft, finish)
      .then(async (event) => {
        const cache = event.status < 400 && !event.errorCode ? await draft.cacheWrite?.().catch(() => undefined) : undefined;
        return recordUsage({ traffic, db, keyPrefix: env.REDIS_KEY_PREFIX }, event, {
          ...settlement(c.get("admission"), event),
          ...(cache ? { cache } : {}),
        });
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
