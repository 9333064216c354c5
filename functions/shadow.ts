import type { Context } from "hono";
import { completeChat } from "../shared/chat/complete";
import type { RunningExperiment } from "../shared/experiments/running";
import { priceUsage } from "../shared/metering/meter";
import { recordUsage } from "../shared/metering/record";
import type { ChatCompletionRequest } from "../shared/openai/chat-request";
import { resolveChatRoute, servedByOf } from "../shared/routing/candidates";
import { toGatewayError } from "./app";
import type { HonoEnv } from "./env";

/**
 * Mirrors a request to the experiment's candidate version, after the response: the answer is
 * metered as a `shadow` usage event (tokens, cost, latency, errors) under the client's request and
 * never returned. Failures are recorded, not thrown.
 */
export async function runShadow(
  c: Context<HonoEnv>,
  experiment: RunningExperiment,
  model: string,
  body: ChatCompletionRequest,
): Promise<void> {
  const shadow = experiment.shadow;
  if (!shadow) return;
  const { db, env, redis, traffic } = c.get("services");
  const key = c.get("apiKey");
  const requestId = c.get("requestId");
  const started = performance.now();
  const startedAt = new Date();
  let event: Parameters<typeof recordUsage>[1];
  const base = {
    requestId: `${requestId}.shadow`,
    parentRequestId: requestId,
    attemptKind: "shadow",
    tenantId: key.tenantId,
    keyId: key.id,
    endpoint: "chat",
    modelRequested: `${model}@${shadow.version}`,
    variant: `shadow:${shadow.version}`,
    experimentId: experiment.id,
    cacheStatus: "bypass" as const,
    createdAt: startedAt.toISOString(),
  };
  try {
    const route = await resolveChatRoute({ db, env, redis }, { ...key, models: null }, `${model}@${shadow.version}`);
    const cand = route.candidates[0];
    if (!cand) throw new Error("no shadow deployment");
    const { stream: _s, stream_options: _o, ...rest } = body;
    const result = await completeChat({
      provider: cand.provider,
      target: cand.target,
      body: rest,
      meta: { id: `chatcmpl-${requestId}-shadow`, created: Math.floor(Date.now() / 1000), model: cand.target.model },
      bindings: c.env,
      signal: AbortSignal.timeout(30_000),
    });
    const usage = result.kind === "json" ? result.completion.usage : undefined;
    const servedBy = servedByOf(cand);
    const priced = usage ? await priceUsage(db, servedBy, usage, startedAt) : { costMicroUsd: 0, priceId: null };
    event = {
      ...base,
      provider: cand.provider.id,
      upstreamModel: cand.target.model,
      deploymentId: cand.id,
      region: cand.region,
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
      costMicroUsd: priced.costMicroUsd,
      priceId: priced.priceId,
      latencyMs: Math.round(performance.now() - started),
      status: 200,
    };
  } catch (err) {
    const gw = toGatewayError(err);
    event = { ...base, latencyMs: Math.round(performance.now() - started), status: gw.status, errorCode: gw.code };
  }
  await recordUsage({ traffic, db, keyPrefix: env.REDIS_KEY_PREFIX }, event);
}
