import type { ChatCompletionRequest } from "../openai/chat-request";
import type { Usage } from "../openai/types";

/**
 * A local token count for when a provider reports none. Deliberately high: every ASCII digit is a
 * token and everything else one token per 3 UTF-8 bytes (real tokenizers average ~4 characters per
 * English token), so metering and limits err on the side of counting more.
 */
export function estimateTokens(text: string): number {
  const digits = text.match(/[0-9]/g)?.length ?? 0;
  const otherBytes = new TextEncoder().encode(text).length - digits;
  return digits + Math.ceil(otherBytes / 3);
}

/** The text of a chat request that a provider would count as prompt (messages, tool schemas). */
export function promptText(body: ChatCompletionRequest): string {
  const parts: string[] = [];
  for (const m of body.messages) {
    if (typeof m.content === "string") parts.push(m.content);
    else for (const p of m.content ?? []) if (p.type === "text" && typeof p.text === "string") parts.push(p.text);
    for (const call of m.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
  }
  if (body.tools) parts.push(JSON.stringify(body.tools));
  return parts.join("\n");
}

/** Usage the gateway counted itself; `estimated` is non-enumerable so it never reaches a client. */
export function estimatedUsage(promptTokens: number, completionTokens: number): Usage {
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  return Object.defineProperty(usage, "estimated", { value: true, enumerable: false });
}

/** Whether a usage object was counted by the gateway rather than reported by the provider. */
export const isEstimated = (usage: object) => (usage as { estimated?: unknown }).estimated === true;

/** Estimated usage of an embeddings request whose provider reports no token counts (flagged estimated). */
export function estimatedEmbeddingsUsage(input: string | readonly unknown[]): { prompt_tokens: number; total_tokens: number } {
  const texts = typeof input === "string" ? [input] : input.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  const tokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  return Object.defineProperty({ prompt_tokens: tokens, total_tokens: tokens }, "estimated", { value: true, enumerable: false });
}
