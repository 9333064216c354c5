import type { ChatCompletion, FinishReason, ToolCall, Usage } from "../../openai/types";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta } from "../types";

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Workers AI `usage` → OpenAI's, or undefined when the model reports none (the gateway then estimates). */
export function toUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage) || typeof usage.prompt_tokens !== "number") return undefined;
  const prompt = usage.prompt_tokens;
  const completion = typeof usage.completion_tokens === "number" ? usage.completion_tokens : 0;
  const total = typeof usage.total_tokens === "number" ? usage.total_tokens : prompt + completion;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total };
}

/** `response` as text: a string as is; an object (JSON mode on some models) or number serialised; absent → undefined. */
export function textOf(response: unknown): string | undefined {
  if (typeof response === "string") return response;
  if (typeof response === "number" || typeof response === "boolean") return String(response);
  if (typeof response === "object" && response !== null) return JSON.stringify(response);
  return undefined;
}

/** Tool arguments as OpenAI's JSON string (Workers AI's native calls carry an object). */
export const argumentsOf = (args: unknown): string => (typeof args === "string" ? args : JSON.stringify(args ?? {}));

/**
 * One whole tool call, in either of Workers AI's forms: native `{name, arguments: {...}}` or
 * OpenAI's `{id, type, function: {name, arguments}}`. The model's id is kept; `fallbackId` is
 * used when it has none (deterministic, so the same answer always maps the same way).
 */
export function toolCall(raw: unknown, fallbackId: string): ToolCall {
  const fn = isRecord(raw) && isRecord(raw.function) ? raw.function : raw;
  if (!isRecord(raw) || !isRecord(fn) || typeof fn.name !== "string" || !fn.name)
    throw new MalformedUpstreamResponse("Workers AI tool call without a function name");
  const id = typeof raw.id === "string" && raw.id ? raw.id : fallbackId;
  return { id, type: "function", function: { name: fn.name, arguments: argumentsOf(fn.arguments) } };
}

const FINISH: Record<string, FinishReason> = {
  stop: "stop",
  eos: "stop",
  length: "length",
  max_tokens: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
};

/**
 * A finish reason, when the model reports one (most native results do not: they are "stop"), with
 * "tool_calls" when the answer called tools. A cut by `max_tokens` is only visible when reported.
 */
export function finishReason(raw: unknown, calledTools: boolean): FinishReason {
  const mapped = (typeof raw === "string" ? FINISH[raw] : undefined) ?? "stop";
  return mapped === "stop" && calledTools ? "tool_calls" : mapped;
}

/** The first choice of the OpenAI-shaped results some models give, or undefined for the native `{response}` form. */
export function openAIChoice(json: Record<string, unknown>): Record<string, unknown> | undefined {
  return Array.isArray(json.choices) && isRecord(json.choices[0]) ? json.choices[0] : undefined;
}

/**
 * A text-generation result → ChatCompletion. Native form `{response, tool_calls, usage}`:
 * `response` becomes the content (stringified when a model returns JSON mode output as an object;
 * null when the answer is only tool calls), tool calls get OpenAI's shape and `call_<id>_<n>` ids
 * when the model gives none. The OpenAI-shaped result of newer models (`choices[0].message`) is read
 * the same way. Without `usage` in the result, `usage` is left out: the gateway estimates it.
 * @example workersAi.chatResponse({ response: "Hi!", usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } }, meta)
 */
export function chatResponse(json: unknown, meta: ResponseMeta): ChatCompletion {
  if (!isRecord(json)) throw new MalformedUpstreamResponse("Workers AI result is not a JSON object");
  const choice = openAIChoice(json);
  const message = choice && isRecord(choice.message) ? choice.message : undefined;
  if (!message && !("response" in json) && !("tool_calls" in json))
    throw new MalformedUpstreamResponse("Workers AI result without response");
  const source = message ?? json;
  const text = message ? textOf(message.content) : textOf(json.response);
  const raw = Array.isArray(source.tool_calls) ? source.tool_calls : [];
  const calls = raw.map((c, n) => toolCall(c, `call_${meta.id}_${n}`));
  const usage = toUsage(json.usage);
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: calls.length && !text ? null : (text ?? null),
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        finish_reason: finishReason(choice?.finish_reason ?? json.finish_reason, calls.length > 0),
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}
