import type { ChatCompletion, FinishReason, ToolCall, Usage } from "../../openai/types";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta } from "../types";
import { type AnthropicUsage, isRecord, JSON_TOOL_NAME } from "./wire";

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/**
 * Anthropic's `stop_reason` → OpenAI's `finish_reason`. `tool_use` caused only by the JSON-mode tool
 * (no client tool called) is a plain `stop`; unknown reasons are `stop` too.
 */
export function finishReason(stopReason: unknown, calledClientTools: boolean): FinishReason {
  const reason = (typeof stopReason === "string" && FINISH_REASONS[stopReason]) || "stop";
  return reason === "tool_calls" && !calledClientTools ? "stop" : reason;
}

const count = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) ? n : 0);

/**
 * Anthropic usage → OpenAI usage, each token counted exactly once.
 *
 * Anthropic reports the prompt in three disjoint parts: `input_tokens` (not cached),
 * `cache_read_input_tokens` (served from the prompt cache) and `cache_creation_input_tokens` (written
 * to it). OpenAI's `prompt_tokens` is the whole prompt and `cached_tokens` the part of it read from
 * cache, so:
 *   prompt_tokens     = input + cache_read + cache_creation
 *   cached_tokens     = cache_read                  (a subset of prompt_tokens, never added again)
 *   completion_tokens = output                      (thinking included, as Anthropic bills it)
 *   total_tokens      = prompt_tokens + completion_tokens
 * Cache writes are priced apart by Anthropic, so they are also reported as
 * `prompt_tokens_details.cache_creation_tokens` (also a subset of prompt_tokens, not in cached_tokens):
 * the uncached, unwritten part is prompt_tokens − cached_tokens − cache_creation_tokens.
 */
export function toOpenAIUsage(usage: AnthropicUsage): Usage {
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheCreation = count(usage.cache_creation_input_tokens);
  const prompt = count(usage.input_tokens) + cacheRead + cacheCreation;
  const completion = count(usage.output_tokens);
  const thinking = usage.output_tokens_details?.thinking_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_creation_tokens: cacheCreation },
    ...(typeof thinking === "number" ? { completion_tokens_details: { reasoning_tokens: thinking } } : {}),
  };
}

/**
 * A Messages API response → an OpenAI chat completion (id and created from `meta`; `model` is the one
 * Anthropic reports, else `meta.model`). Text blocks are concatenated into `content`; `tool_use` blocks
 * become `tool_calls` (arguments = JSON of the input), except the JSON-mode tool, whose input is the
 * `content`. Thinking blocks never enter `content`: their text is returned as `reasoning_content`
 * (the field DeepSeek and others use); redacted thinking and server-tool blocks are dropped.
 * @example chatResponse(await res.json(), { id: "chatcmpl-1", created: 1700000000, model: "claude" })
 */
export function chatResponse(json: unknown, meta: ResponseMeta): ChatCompletion {
  if (!isRecord(json) || !Array.isArray(json.content)) throw new MalformedUpstreamResponse("Anthropic message without content");
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  for (const block of json.content) {
    if (!isRecord(block)) continue;
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "thinking" && typeof block.thinking === "string") reasoning += block.thinking;
    else if (block.type === "tool_use" && typeof block.name === "string") {
      const args = JSON.stringify(block.input ?? {});
      if (block.name === JSON_TOOL_NAME) text += args;
      else toolCalls.push({ id: String(block.id), type: "function", function: { name: block.name, arguments: args } });
    }
  }
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: typeof json.model === "string" && json.model ? json.model : meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text || !toolCalls.length ? text : null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          ...(reasoning ? { reasoning_content: reasoning } : {}),
        },
        finish_reason: finishReason(json.stop_reason, toolCalls.length > 0),
      },
    ],
    ...(isRecord(json.usage) ? { usage: toOpenAIUsage(json.usage) } : {}),
  };
}
