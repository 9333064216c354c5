/**
 * The mock upstream's own token rule.
 *
 * It is deliberately simple and deliberately independent of any estimator the
 * gateway has, so tests can compute the expected usage by hand:
 *
 *   countTokens(text) = number of matches of /[A-Za-z0-9]+|[^\sA-Za-z0-9]/gu
 *                       (runs of ASCII letters/digits, plus every single
 *                       non-space symbol, e.g. "Hi, you!" = 4)
 *
 *   prompt tokens     = 3                                  (reply priming)
 *                     + Σ over messages (3 + Σ countTokens(text part))
 *                     + 85 per image part
 *                     + countTokens(JSON.stringify(tools)) when tools are present
 *
 *   completion tokens = countTokens(completion text), where a tool call's text
 *                       is its arguments JSON; summed over all choices.
 *
 * "Messages" and "text parts" per provider:
 * - OpenAI: every entry of `messages` (system/developer/user/assistant/tool);
 *   text = string content or `text` parts; an assistant's `tool_calls` add
 *   `function.name` and `function.arguments`; `image_url` parts are images.
 * - Anthropic: `system` (string or text blocks) counts as one message when
 *   present, then every entry of `messages`; text blocks, `tool_use`
 *   (name + JSON.stringify(input)), `tool_result` (its text); `image`/`document`
 *   blocks are images.
 * - Gemini: `systemInstruction` counts as one message when present, then every
 *   entry of `contents`; `text` parts, `functionCall` (name + JSON args),
 *   `functionResponse` (JSON of response); `inlineData`/`fileData` are images.
 * - Embeddings: Σ countTokens(input) (no per-item overhead); token-array inputs
 *   count their length.
 *
 * Reasoning ("reason" in the model name): OpenAI reports
 * completion_tokens_details.reasoning_tokens equal to the visible completion
 * tokens and includes them in completion_tokens; Gemini reports
 * thoughtsTokenCount the same way (outside candidatesTokenCount, inside
 * totalTokenCount). Anthropic has no separate field and reports visible tokens.
 *
 * Cached tokens: floor(prompt tokens × cachedTokenFraction) (control setting),
 * reported as prompt_tokens_details.cached_tokens (OpenAI, part of
 * prompt_tokens), cache_read_input_tokens (Anthropic, NOT part of
 * input_tokens, as Anthropic reports it) and cachedContentTokenCount (Gemini,
 * part of promptTokenCount).
 */

export const TOKEN_PATTERN = /[A-Za-z0-9]+|[^\sA-Za-z0-9]/gu;

/** Per-message overhead and reply priming of the prompt rule. */
export const MESSAGE_OVERHEAD = 3;
export const REPLY_PRIMING = 3;
/** Flat cost of one image part. */
export const IMAGE_TOKENS = 85;

export function countTokens(text: string): number {
  if (!text) return 0;
  const m = text.match(TOKEN_PATTERN);
  return m === null ? 0 : m.length;
}

/** One message reduced to what the rule looks at. */
export interface CountedMessage {
  /** Σ countTokens over the message's text parts. */
  textTokens: number;
  images: number;
}

export function promptTokens(messages: readonly CountedMessage[], tools?: unknown): number {
  let n = REPLY_PRIMING;
  for (const m of messages) n += MESSAGE_OVERHEAD + m.textTokens + IMAGE_TOKENS * m.images;
  if (tools !== undefined && tools !== null && !(Array.isArray(tools) && tools.length === 0)) {
    n += countTokens(JSON.stringify(tools));
  }
  return n;
}

export function cachedTokens(prompt: number, fraction: number | undefined): number {
  if (!fraction || fraction <= 0) return 0;
  return Math.floor(prompt * Math.min(1, fraction));
}

export function isReasoningModel(model: string): boolean {
  return model.includes("reason");
}
