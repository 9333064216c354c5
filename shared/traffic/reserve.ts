import type { Rates } from "../metering/cost";
import type { ChatCompletionRequest } from "../openai/chat-request";

const encoder = new TextEncoder();
/** Per-message framing a provider may add (OpenAI: ≤ 4), and reply priming (≤ 3). */
const PER_MESSAGE = 4;
const PRIMING = 3;
/** An image is at most this many prompt tokens (OpenAI high detail at the largest size). */
const PER_IMAGE = 1600;

/**
 * An upper bound of the request's prompt tokens that never undercounts: byte-level BPE never
 * yields more tokens than UTF-8 bytes, so bytes of every text part, plus framing and images.
 * Cheap (no tokenizer), deliberately high; the postflight returns the difference.
 */
export function maxPromptTokens(body: ChatCompletionRequest): number {
  let tokens = PRIMING;
  for (const m of body.messages) {
    tokens += PER_MESSAGE;
    if (typeof m.content === "string") tokens += encoder.encode(m.content).length;
    else
      for (const p of m.content ?? []) {
        if (p.type === "text" && typeof p.text === "string") tokens += encoder.encode(p.text).length;
        else if (p.type === "image_url") tokens += PER_IMAGE;
        else tokens += encoder.encode(JSON.stringify(p)).length;
      }
    for (const call of m.tool_calls ?? []) tokens += encoder.encode(call.function.name + call.function.arguments).length;
  }
  if (body.tools) tokens += encoder.encode(JSON.stringify(body.tools)).length;
  return tokens;
}

/** Completion tokens to reserve: the request's own cap, else the configured default; × n choices. */
export function maxCompletionTokens(body: ChatCompletionRequest, fallback: number): number {
  return (body.max_completion_tokens ?? body.max_tokens ?? fallback) * (body.n ?? 1);
}

/** The most a call can cost at these bounds (each token class at its dearest price). */
export function worstCostMicroUsd(promptTokens: number, completionTokens: number, price: Rates | null): number {
  if (!price) return 0;
  const input = Math.max(price.inputMicroUsdPerMTok, price.cacheWriteMicroUsdPerMTok ?? 0);
  const output = Math.max(price.outputMicroUsdPerMTok, price.reasoningMicroUsdPerMTok ?? 0);
  return Math.ceil((promptTokens * input + completionTokens * output) / 1_000_000);
}
