import type { ChatCompletion, FinishReason, Usage } from "../openai/types";
import { isRecord, type TextBlock, type ToolUseBlock } from "../providers/anthropic/wire";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string };

/** Usage as Anthropic reports it: the three input counts are disjoint. */
export type MessageUsage = {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
};

/** The Messages API response body. */
export type AnthropicMessage = {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: Array<ThinkingBlock | TextBlock | ToolUseBlock>;
  stop_reason: StopReason;
  stop_sequence: null;
  usage: MessageUsage;
};

const STOP_REASONS: Record<FinishReason, StopReason> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

/**
 * OpenAI's `finish_reason` → Anthropic's `stop_reason`. `stop` is always `end_turn`, never
 * `stop_sequence`: OpenAI does not say whether a stop string matched, nor which (so `stop_sequence` is
 * always null). A response that called tools is `tool_use` whatever the upstream said, since
 * Anthropic clients run tools only on that reason.
 */
export function stopReason(finish: FinishReason | null | undefined, calledTools: boolean): StopReason {
  if (calledTools) return "tool_use";
  return (finish && STOP_REASONS[finish]) || "end_turn";
}

/**
 * OpenAI usage → Anthropic usage: the exact inverse of the outbound adapter's `toOpenAIUsage`, which
 * reports prompt_tokens = input + cache_read + cache_creation, cached_tokens = cache_read and
 * cache_creation_tokens = cache_creation. So:
 *   input_tokens                = prompt_tokens − cached_tokens − cache_creation_tokens
 *   cache_read_input_tokens     = cached_tokens
 *   cache_creation_input_tokens = cache_creation_tokens (0 when the upstream has no such count)
 *   output_tokens               = completion_tokens (reasoning included, as both APIs count it)
 * Missing usage is all zeros.
 */
export function toAnthropicUsage(usage: Usage | null | undefined): MessageUsage {
  const details = usage?.prompt_tokens_details;
  const cacheRead = num(details?.cached_tokens);
  const cacheCreation = num(details?.cache_creation_tokens);
  return {
    input_tokens: Math.max(0, num(usage?.prompt_tokens) - cacheRead - cacheCreation),
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
    output_tokens: num(usage?.completion_tokens),
  };
}

/** `msg_` + the completion id without OpenAI's or the gateway's prefix: `chatcmpl-req_ab12` → `msg_ab12`. */
export const messageId = (id: string): string => `msg_${id.replace(/^chatcmpl-/, "").replace(/^req_/, "")}`;

/**
 * Tool call arguments → the tool_use `input` object. Arguments that are not a JSON object (an upstream
 * cut off mid-call, a model writing bad JSON) are kept, not dropped: `{"_raw": "<the arguments>"}`.
 * Empty arguments are `{}`.
 */
export function toolInput(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const input: unknown = JSON.parse(args);
    if (isRecord(input)) return input;
  } catch {}
  return { _raw: args };
}

/**
 * An OpenAI chat completion → an Anthropic message, as `POST /v1/messages` answers it. Content is a
 * thinking block (from `reasoning_content`, with an empty signature: the gateway cannot sign), a text
 * block (the content, or else the refusal, which makes stop_reason `refusal`), then one tool_use
 * block per tool call; empty parts are left out. `model` is the name the client asked for.
 * @example toAnthropicMessage(completion, "claude-haiku-4-5")
 */
export function toAnthropicMessage(completion: ChatCompletion, requestedModel: string): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicMessage["content"] = [];
  const reasoning = message?.reasoning_content;
  if (typeof reasoning === "string" && reasoning) content.push({ type: "thinking", thinking: reasoning, signature: "" });
  const text = message?.content || message?.refusal;
  if (text) content.push({ type: "text", text });
  const calls = message?.tool_calls ?? [];
  for (const call of calls) {
    content.push({ type: "tool_use", id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: messageId(completion.id),
    type: "message",
    role: "assistant",
    model: requestedModel,
    content,
    stop_reason: !message?.content && message?.refusal ? "refusal" : stopReason(choice?.finish_reason, calls.length > 0),
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage),
  };
}

const num = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) ? n : 0);
