import type { OwnRates } from "./prices";
import type { UsageEventJson } from "./usage-event";

/** An upstream attempt that did not answer the client (failed, or lost a hedge). */
export type LostAttempt = {
  index: number;
  kind: "request" | "retry" | "fallback" | "hedge";
  provider: string;
  upstreamModel: string;
  deploymentId: string;
  /** The deployment's own rates, when it has any (an aborted hedge's prompt is priced at them). */
  ownRates?: OwnRates;
  region: string;
  status: number;
  errorCode: string;
  latencyMs: number;
};

/**
 * Usage events of the attempts that did not answer, so every upstream call is on record (the
 * client's own event says how many attempts there were). A failed attempt billed nothing; an
 * aborted hedge loser may have been billed for its prompt, which the provider never reports: it
 * is recorded with the prompt estimate and flagged estimated. Ids are `<request id>.<attempt number>`,
 * counting from 1.
 */
export function attemptEvents(parent: UsageEventJson, lost: readonly LostAttempt[], promptEstimate: number): UsageEventJson[] {
  return lost.map((a) => {
    const abortedHedge = a.errorCode === "aborted";
    return {
      ...parent,
      requestId: `${parent.requestId}.${a.index + 1}`,
      parentRequestId: parent.requestId,
      attemptKind: a.kind === "request" ? "first" : a.kind,
      attempts: 1,
      provider: a.provider,
      upstreamModel: a.upstreamModel,
      deploymentId: a.deploymentId,
      region: a.region,
      streamed: false,
      promptTokens: abortedHedge ? promptEstimate : 0,
      completionTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      usageEstimated: abortedHedge,
      costMicroUsd: 0,
      priceId: null,
      savedMicroUsd: 0,
      latencyMs: a.latencyMs,
      ttftMs: null,
      cacheStatus: "bypass",
      status: a.status,
      errorCode: a.errorCode,
    };
  });
}
