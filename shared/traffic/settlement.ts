import type { Admission } from "./admission";
import type { Postflight } from "./plan";

/** What a finished request actually used. */
export type Used = { promptTokens?: number; completionTokens?: number; costMicroUsd?: number };

/**
 * The postflight settlement of an admitted request: each token reservation corrected to the tokens
 * used, the budget escrow to the real cost, the in-flight slot released. A cache hit reserved no
 * tokens or budget, so it settles none.
 */
export function settlement(admission: Admission | undefined, used: Used): Omit<Postflight, "usage"> {
  if (!admission?.plan) return { tokens: [] };
  const { plan, result } = admission;
  const reserved = result.cached === undefined;
  const tokens = reserved
    ? result.checks
        .filter((c) => c.check.kind === "tokens")
        .map((c) => ({
          key: c.key,
          delta: (used.promptTokens ?? 0) + (used.completionTokens ?? 0) - c.check.cost,
          bucket: c.check.algorithm === "bucket",
        }))
    : [];
  return {
    tokens,
    ...(reserved && plan.budget
      ? { budget: { key: plan.budget.key, deltaMicroUsd: (used.costMicroUsd ?? 0) - plan.budget.costMicroUsd } }
      : {}),
    ...(plan.inflight ? { inflightKey: plan.inflight.key } : {}),
  };
}
