import type { CacheStatus } from "../cache/controls";
import type { StreamOutcome } from "../chat/relay-stream";
import type { Usage } from "../openai/types";
import type { Db } from "../storage/postgres/db";
import type { LostAttempt } from "./attempt-events";
import { costMicroUsd } from "./cost";
import { estimatedUsage, estimateTokens, isEstimated } from "./estimate";
import { type OwnRates, priceAt, withOwnRates } from "./prices";
import type { UsageEventJson } from "./usage-event";

/** Who answered (or would have), as pricing needs it: the provider's model, and the deployment's own rates if it has any. */
export type ServedBy = { provider: string; upstreamModel: string; ownRates?: OwnRates };

/** What a request learns about itself on the way, filled in by the route; settled after the response. */
export type MeterDraft = {
  requestId: string;
  endpoint: string;
  startedAt: Date;
  /** performance.now() at the start, for latency. */
  t0: number;
  modelRequested?: string;
  servedBy?: ServedBy;
  streamed: boolean;
  /** Known at once for JSON responses. */
  usage?: Usage;
  /** Resolves when a streamed response ends. */
  outcome?: Promise<StreamOutcome>;
  /** The prompt as text, for estimating usage a provider did not report. */
  promptText?: () => string;
  /** Computed in the route for JSON responses (the `x-edgeway-cost-usd` header). */
  priced?: { costMicroUsd: number; priceId: number | null };
  /** @default "miss" */
  cacheStatus?: CacheStatus;
  /** On a cache hit: the usage the original answer cost, priced as what the hit saved. */
  savedUsage?: Usage;
  /** Who would have answered a cache hit (its price values the saving). */
  savedFrom?: ServedBy;
  /** The A/B experiment and variant the request was assigned to. */
  experiment?: { id: string; variant: string };
  /** The deployment that answered, its region, and how many upstream attempts were made. */
  served?: { deploymentId: string; region: string; attempts: number };
  /** The answering deployment's breaker record, written by the postflight. */
  breaker?: { key: string; args: string[] };
  /** Upstream attempts that did not answer (failed, or lost a hedge): metered as events of their own. */
  lostAttempts?: LostAttempt[];
  /** Why the complexity router chose the model (e.g. `simple→mock-small`). */
  routedBy?: string;
  /** Seals a fresh answer for the cache after the response; undefined when there is none to store. */
  cacheWrite?: () => Promise<{ key: string; value: string; ttlSeconds: number } | undefined>;
};

export type Finish = { tenantId: string; keyId: string; status: number; errorCode?: string; now: number };

/**
 * The cost of a usage at the price in force when the request started: the answering deployment's
 * own rates when it has any (`withOwnRates`; no list price id then), else the list price.
 */
export async function priceUsage(
  db: Db,
  servedBy: ServedBy,
  usage: Usage,
  at: Date,
): Promise<{ costMicroUsd: number; priceId: number | null }> {
  const list = await priceAt(db, servedBy.provider, servedBy.upstreamModel, at);
  const rates = withOwnRates(list, servedBy.ownRates);
  if (!rates) return { costMicroUsd: 0, priceId: null };
  return { costMicroUsd: costMicroUsd(usage, rates), priceId: rates === list ? list.id : null };
}

/**
 * The usage event of a finished request. A streamed response is awaited first; an upstream that
 * answered without usage is counted locally and flagged `usageEstimated`. So is a stream the
 * client left before its end: the provider bills the prompt and what it generated until the
 * cancel, so the event carries the prompt and the text relayed so far.
 */
export async function settle(db: Db, draft: MeterDraft, finish: Finish): Promise<UsageEventJson> {
  const outcome = draft.outcome ? await draft.outcome : undefined;
  let usage = draft.usage ?? outcome?.usage;
  const served = draft.servedBy !== undefined && finish.status < 400;
  if (!usage && served && draft.promptText) {
    usage = estimatedUsage(estimateTokens(draft.promptText()), estimateTokens(outcome?.completionText ?? ""));
  }
  const priced = draft.priced ?? (usage && draft.servedBy ? await priceUsage(db, draft.servedBy, usage, draft.startedAt) : undefined);
  const saved = draft.savedUsage && draft.savedFrom ? await priceUsage(db, draft.savedFrom, draft.savedUsage, draft.startedAt) : undefined;
  return {
    requestId: draft.requestId,
    tenantId: finish.tenantId,
    keyId: finish.keyId,
    endpoint: draft.endpoint,
    modelRequested: draft.modelRequested ?? "",
    provider: draft.servedBy?.provider ?? null,
    upstreamModel: draft.servedBy?.upstreamModel ?? null,
    streamed: draft.streamed,
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    cachedTokens: Number(usage?.prompt_tokens_details?.cached_tokens ?? 0),
    reasoningTokens: Number(usage?.completion_tokens_details?.reasoning_tokens ?? 0),
    usageEstimated: usage ? isEstimated(usage) : false,
    costMicroUsd: priced?.costMicroUsd ?? 0,
    priceId: priced?.priceId ?? null,
    latencyMs: Math.round(finish.now - draft.t0),
    ttftMs: outcome?.ttftMs ?? null,
    cacheStatus: draft.cacheStatus ?? "miss",
    variant: draft.experiment?.variant ?? null,
    experimentId: draft.experiment?.id ?? null,
    deploymentId: draft.served?.deploymentId ?? null,
    region: draft.served?.region ?? null,
    attempts: draft.served?.attempts ?? (draft.servedBy ? 1 : 0),
    routedBy: draft.routedBy ?? null,
    savedMicroUsd: saved?.costMicroUsd ?? 0,
    status: finish.status,
    errorCode: outcome?.error?.code ?? finish.errorCode ?? null,
    createdAt: draft.startedAt.toISOString(),
  };
}

/**
 * Prices a JSON response now, for its `x-edgeway-cost-usd` header; a response without usage is
 * counted locally (flagged estimated) from the prompt and `completionText` (only read then).
 */
export async function priceNow(db: Db, draft: MeterDraft, usage: Usage | undefined, completionText: () => string): Promise<number> {
  if (!draft.servedBy) return 0;
  draft.usage = usage ?? estimatedUsage(estimateTokens(draft.promptText?.() ?? ""), estimateTokens(completionText()));
  draft.priced = await priceUsage(db, draft.servedBy, draft.usage, draft.startedAt);
  return draft.priced.costMicroUsd;
}
