import type { ModelPrice } from "../../schema";
import type { Usage } from "../openai/types";

/** What a usage is priced at: micro-USD per million tokens of each class (a list price row fits). */
export type Rates = Pick<
  ModelPrice,
  "inputMicroUsdPerMTok" | "outputMicroUsdPerMTok" | "cachedInputMicroUsdPerMTok" | "cacheWriteMicroUsdPerMTok" | "reasoningMicroUsdPerMTok"
>;

/** Prompt tokens written to a provider cache (Anthropic reports them; OpenAI-shaped usage does not). */
const cacheWriteTokens = (usage: Usage) => Number(usage.prompt_tokens_details?.cache_creation_tokens ?? 0);

/**
 * The cost of one upstream answer in whole micro-USD, computed exactly: every token class times its
 * price (micro-USD per million tokens) summed as integers, then divided once and rounded half up.
 * Cached and cache-write tokens are inside `prompt_tokens`, reasoning tokens inside
 * `completion_tokens`: each token is priced once, at its own class's price.
 * @example costMicroUsd({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }, price) // 450 for $0.15/$0.60
 */
export function costMicroUsd(usage: Usage, price: Rates): number {
  const cached = Number(usage.prompt_tokens_details?.cached_tokens ?? 0);
  const written = cacheWriteTokens(usage);
  const reasoning = Number(usage.completion_tokens_details?.reasoning_tokens ?? 0);
  const plainPrompt = Math.max(0, usage.prompt_tokens - cached - written);
  const plainCompletion = Math.max(0, usage.completion_tokens - reasoning);
  const numerator =
    plainPrompt * price.inputMicroUsdPerMTok +
    cached * (price.cachedInputMicroUsdPerMTok ?? price.inputMicroUsdPerMTok) +
    written * (price.cacheWriteMicroUsdPerMTok ?? price.inputMicroUsdPerMTok) +
    plainCompletion * price.outputMicroUsdPerMTok +
    reasoning * (price.reasoningMicroUsdPerMTok ?? price.outputMicroUsdPerMTok);
  return Math.floor((numerator + 500_000) / 1_000_000);
}

/** Micro-USD as the `x-edgeway-cost-usd` header shows it: dollars with 6 decimals. */
export const formatUsd = (microUsd: number) => (microUsd / 1_000_000).toFixed(6);
