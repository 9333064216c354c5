import type { ChatCompletion, FinishReason, Logprobs, ToolCall, Usage } from "../../openai/types";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta } from "../types";
import { type GeminiCandidate, type GeminiPart, type GeminiUsage, type GenerateContentResponse, isRecord } from "./wire";

const FILTERED: FinishReason = "content_filter";
const FINISH: Record<string, FinishReason> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: FILTERED,
  RECITATION: FILTERED,
  BLOCKLIST: FILTERED,
  PROHIBITED_CONTENT: FILTERED,
  SPII: FILTERED,
  IMAGE_SAFETY: FILTERED,
  IMAGE_PROHIBITED_CONTENT: FILTERED,
  IMAGE_RECITATION: FILTERED,
};

/** Gemini `finishReason` → OpenAI's; anything unlisted (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL…) is "stop". */
export function finishReason(reason: string | undefined, calledTools: boolean): FinishReason | null {
  if (!reason) return null;
  const mapped = FINISH[reason] ?? "stop";
  return mapped === "stop" && calledTools ? "tool_calls" : mapped;
}

/**
 * Gemini usage → OpenAI usage. Gemini defines
 *   totalTokenCount = promptTokenCount + toolUsePromptTokenCount + candidatesTokenCount + thoughtsTokenCount
 * and `cachedContentTokenCount` is a subset of `promptTokenCount` ("when cached content is set, this
 * is still the total effective prompt size"), exactly like OpenAI's `cached_tokens` within
 * `prompt_tokens`: it is reported, never added. Thoughts are billed as output, so they count in
 * completion_tokens and again (as a subset) in reasoning_tokens. Tool-use prompt tokens (results of
 * Google's built-in tools fed back to the model) are input, so they join prompt_tokens, which keeps
 * prompt + completion = total.
 */
export function toUsage(u: GeminiUsage): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const reasoning = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/** A tool call as OpenAI sees it; Gemini's thought signature rides along the way Google's own OpenAI endpoint carries it. */
export type GeminiToolCall = ToolCall & { extra_content?: { google: { thought_signature: string } } };

/** The visible text (thought summaries excluded; undefined when there is none) and the function calls of some parts. */
export function splitParts(parts: GeminiPart[] | undefined): { text: string | undefined; calls: GeminiPart[] } {
  const texts = (parts ?? []).filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text as string);
  const calls = (parts ?? []).filter((p) => isRecord(p.functionCall) && typeof p.functionCall.name === "string");
  return { text: texts.length ? texts.join("") : undefined, calls };
}

/** Deterministic ids: the same upstream answer always yields the same `call_<responseId>_<n>`. */
export function toolCall(part: GeminiPart, id: string): GeminiToolCall {
  const call = part.functionCall ?? { name: "" };
  return {
    id,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
    ...(part.thoughtSignature ? { extra_content: { google: { thought_signature: part.thoughtSignature } } } : {}),
  };
}

const encoder = new TextEncoder();
const token = (t: { token?: string; logProbability?: number }) => ({
  token: t.token ?? "",
  logprob: t.logProbability ?? 0,
  bytes: [...encoder.encode(t.token ?? "")],
});

/** `logprobsResult` (present when `responseLogprobs` was requested) → OpenAI `logprobs.content`. */
export function logprobsOf(c: GeminiCandidate): { logprobs: Logprobs } | Record<string, never> {
  const chosen = c.logprobsResult?.chosenCandidates;
  if (!Array.isArray(chosen)) return {};
  const top = c.logprobsResult?.topCandidates ?? [];
  return { logprobs: { content: chosen.map((t, k) => ({ ...token(t), top_logprobs: (top[k]?.candidates ?? []).map(token) })) } };
}

/**
 * A `generateContent` answer → ChatCompletion: one choice per candidate; a prompt Gemini blocked
 * (`promptFeedback.blockReason`, no candidates) becomes one empty choice finished by content_filter.
 * @example gemini.chatResponse(await res.json(), { id: "chatcmpl-1", created: 1700000000, model: "gemini-2.5-flash" })
 */
export function chatResponse(json: unknown, meta: ResponseMeta): ChatCompletion {
  if (!isRecord(json)) throw new MalformedUpstreamResponse("Gemini answer is not a JSON object");
  const res = json as GenerateContentResponse;
  const candidates = Array.isArray(res.candidates) ? res.candidates : [];
  if (!candidates.length && !res.promptFeedback?.blockReason) throw new MalformedUpstreamResponse("Gemini answer without candidates");
  const callPrefix = `call_${res.responseId ?? meta.id}`;
  const choices: ChatCompletion["choices"] = candidates.length
    ? candidates.map((c, position) => {
        const { text, calls } = splitParts(c.content?.parts);
        const toolCalls = calls.map((p, n) => toolCall(p, `${callPrefix}_${n}`));
        return {
          index: c.index ?? position,
          message: { role: "assistant", content: text ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
          finish_reason: finishReason(c.finishReason, toolCalls.length > 0),
          ...logprobsOf(c),
        };
      })
    : [{ index: 0, message: { role: "assistant", content: null }, finish_reason: FILTERED }];
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: res.modelVersion ?? meta.model,
    choices,
    ...(isRecord(res.usageMetadata) ? { usage: toUsage(res.usageMetadata) } : {}),
  };
}
