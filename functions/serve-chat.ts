import type { Context } from "hono";
import type { StreamEncoder } from "../shared/chat/stream-encoder";
import { GatewayError } from "../shared/errors/gateway-error";
import { assignVariant, shouldShadow, subjectOf } from "../shared/experiments/assign";
import { experimentFor } from "../shared/experiments/running";
import { formatUsd } from "../shared/metering/cost";
import { promptText } from "../shared/metering/estimate";
import { priceNow } from "../shared/metering/meter";
import type { ChatCompletionRequest } from "../shared/openai/chat-request";
import type { ChatCompletion } from "../shared/openai/types";
import { complexityOverride, routeByComplexity } from "../shared/registry/complexity";
import { devGeoHeader, geoFromCf, inResidency } from "../shared/registry/geo";
import { parseModelName } from "../shared/registry/names";
import { orderDeployments } from "../shared/registry/select";
import { type DeploymentHealth, deploymentKey, healthFromHash } from "../shared/resilience/breaker";
import { fallbackCandidates, resolveChatRoute, servedByOf, withVersionDefaults } from "../shared/routing/candidates";
import { DEFAULT_MAX_TOKENS } from "../shared/traffic/policy";
import { maxCompletionTokens, maxPromptTokens } from "../shared/traffic/reserve";
import { admitRequest } from "./admit";
import { attemptChat } from "./attempts";
import { decideChatCache, recordForCache, serveFromCache } from "./chat-cache";
import type { HonoEnv } from "./env";
import { runShadow } from "./shadow";

export type ServeChatOptions = {
  /** The client's stream format. @default OpenAI SSE */
  encoder?: StreamEncoder;
  /** The client's JSON format. @default the OpenAI completion as is */
  render?: (completion: ChatCompletion) => unknown;
};

const answerText = (completion: ChatCompletion) =>
  completion.choices
    .flatMap((c) => [c.message.content ?? "", ...(c.message.tool_calls ?? []).map((t) => t.function.name + t.function.arguments)])
    .join("");

// Isolate-scoped on purpose: the round-robin strategy's counter (deterministic per isolate).
let turn = 0;

/**
 * The chat path shared by every chat-shaped endpoint: complexity routing, A/B assignment, the
 * registry (versions, deployments, fallbacks), the one preflight round trip (limits, cache read,
 * deployment health), a cache hit or the upstream attempts (ordered by residency, geography,
 * health and strategy), metering, and JSON (with `x-edgeway-cost-usd`) or a relayed stream.
 */
export async function serveChat(c: Context<HonoEnv>, request: ChatCompletionRequest, opts: ServeChatOptions = {}): Promise<Response> {
  const { db, env, redis } = c.get("services");
  const key = c.get("apiKey");
  const meter = c.get("meter");
  const routing = key.tenant.routing;
  meter.modelRequested = request.model;
  meter.streamed = request.stream === true;
  if (key.models && !key.models.includes(request.model)) {
    throw new GatewayError("model_not_found", `The model \`${request.model}\` does not exist or you do not have access to it.`, {
      param: "model",
    });
  }

  let body = request;
  const routed = routing?.complexity
    ? routeByComplexity(body, routing.complexity, complexityOverride(c.req.header("x-edgeway-route")))
    : null;
  if (routed && routed.model !== body.model) {
    body = { ...body, model: routed.model };
    meter.routedBy = `${routed.reason}→${routed.model}`;
  }

  const user = body.user ?? c.req.header("x-edgeway-user");
  const logicalName = parseModelName(body.model)?.model ?? body.model;
  const experiment = await experimentFor(db, { tenantId: key.tenantId, model: logicalName });
  const subject = subjectOf({ user: user ?? null, keyId: key.id });
  const variant = experiment ? await assignVariant(experiment, subject) : null;
  if (experiment && variant) {
    c.header("x-edgeway-variant", variant.name);
    meter.experiment = { id: experiment.id, variant: variant.name };
    if (variant.params) body = { ...body, ...variant.params };
  }

  const route = await resolveChatRoute({ db, env, redis }, { ...key, models: null }, body.model, variant);
  body = withVersionDefaults(body, route.version);
  meter.promptText = () => promptText(body);
  const first = route.candidates[0];
  if (first) meter.servedBy = servedByOf(first);

  const cacheVariant = [route.logical ? `${route.logical.model}@${route.logical.version}` : "", variant?.name ?? ""].join("|");
  const cache = await decideChatCache(c, body, cacheVariant === "|" ? null : cacheVariant);
  await admitRequest(c, {
    priced: meter.servedBy ?? { provider: "", upstreamModel: "" },
    promptTokens: maxPromptTokens(body),
    completionTokens: maxCompletionTokens(body, key.tenant.traffic?.defaultMaxTokens ?? DEFAULT_MAX_TOKENS),
    ...(user ? { user } : {}),
    ...(cache.controls.read ? { cacheKey: cache.redisKey } : {}),
    deploymentKeys: route.candidates.map((cand) => deploymentKey(env.REDIS_KEY_PREFIX, cand.id)),
  });
  if (first) c.header("x-edgeway-model", `${first.provider.id}/${first.target.model}`);
  const cached = await serveFromCache(c, cache, body, opts);
  if (cached) return cached;

  const now = Date.now();
  const admission = c.get("admission");
  const hashes = admission?.plan ? admission.result.deploymentHashes : [];
  const health: Record<string, DeploymentHealth> = Object.fromEntries(
    route.candidates.map((cand, i) => [cand.id, healthFromHash(hashes[i] ?? null, now)]),
  );
  const geo =
    (env.ENVIRONMENT === "development" ? devGeoHeader(c.req.header("x-edgeway-debug-geo")) : undefined) ??
    geoFromCf((c.req.raw as { cf?: unknown }).cf);
  const seed = route.strategy === "round-robin" ? turn++ : (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0);
  const { ordered } = orderDeployments(route.candidates, {
    strategy: route.strategy,
    health,
    geo,
    seed,
    ...(routing?.residency ? { residency: routing.residency } : {}),
  });
  const fallbacks = (await fallbackCandidates({ db, env, redis }, key, route.fallbacks)).filter(
    (f) => inResidency(f, routing?.residency) && !ordered.some((o) => o.id === f.id),
  );
  const candidates = [...ordered, ...fallbacks];
  if (candidates.length === 0) {
    const where = routing?.residency ? ` inside this tenant's residency (${routing.residency})` : "";
    throw new GatewayError("upstream_unavailable", `No healthy deployment of \`${body.model}\` is available${where}. Retry later.`, {
      retryAfterMs: 5000,
    });
  }

  const recorder = recordForCache(c, cache);
  const { result, winner, attempts, lost, breaker } = await attemptChat(c, {
    candidates,
    health,
    body,
    ...(opts.encoder ? { encoder: opts.encoder } : {}),
    ...(recorder.onChunk ? { onChunk: recorder.onChunk } : {}),
    ...(routing?.hedgeAfterMs ? { hedgeAfterMs: routing.hedgeAfterMs } : {}),
    trackInflight: route.strategy === "least-inflight",
  });
  meter.servedBy = servedByOf(winner);
  meter.served = { deploymentId: winner.id, region: winner.region, attempts };
  meter.lostAttempts = lost;
  if (breaker) meter.breaker = breaker;
  c.header("x-edgeway-model", `${winner.provider.id}/${winner.target.model}`);
  c.header("x-edgeway-region", winner.region);
  if (experiment?.shadow && route.logical && (await shouldShadow(experiment, subject))) {
    c.executionCtx.waitUntil(runShadow(c, experiment, route.logical.model, body).catch(() => {}));
  }

  if (result.kind === "json") {
    recorder.remember(result.completion);
    const cost = await priceNow(db, meter, result.completion.usage, () => answerText(result.completion));
    c.header("x-edgeway-cost-usd", formatUsd(cost));
    return c.json(opts.render ? opts.render(result.completion) : result.completion, 200);
  }
  meter.outcome = result.outcome;
  c.header("content-type", "text/event-stream; charset=utf-8");
  c.header("cache-control", "no-cache");
  return c.newResponse(result.stream, 200);
}
