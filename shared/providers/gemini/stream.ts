import type { ChatCompletionChunk, FinishReason, Usage } from "../../openai/types";
import type { ResponseMeta, StreamTranslator, UpstreamError } from "../types";
import { geminiError } from "./errors";
import { finishReason, logprobsOf, splitParts, toolCall, toUsage } from "./response";
import { type GenerateContentResponse, isRecord } from "./wire";

type Choice = ChatCompletionChunk["choices"][number];

/**
 * `streamGenerateContent?alt=sse` events → OpenAI chunks. Each event is a partial
 * GenerateContentResponse: text arrives in pieces, function calls arrive whole (one complete
 * tool_calls delta each, indexed per candidate), `finishReason` on a candidate's last event, and
 * `usageMetadata` on the last event (sometimes on every one: the latest wins).
 * The stream is complete once every candidate seen has a finish reason (or the prompt was blocked);
 * `end()` then yields OpenAI's trailing usage chunk (`choices: []`), else an UpstreamError.
 * @example const t = gemini.chatStream(meta); for await (const ev of body.pipeThrough(sseParser())) t.event(ev);
 */
export function chatStream(meta: ResponseMeta): StreamTranslator {
  const started = new Set<number>(); // candidates whose first chunk (the one with the role) went out
  const finished = new Set<number>();
  const toolCalls = new Map<number, number>(); // candidate index → tool calls emitted so far
  let blocked = false;
  let usage: Usage | undefined;
  let model = meta.model;

  const chunk = (choice: Choice): ChatCompletionChunk => ({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model,
    choices: [choice],
  });

  function translate(res: GenerateContentResponse): ChatCompletionChunk[] {
    const candidates = Array.isArray(res.candidates) ? res.candidates : [];
    if (!candidates.length && res.promptFeedback?.blockReason) {
      blocked = true;
      return [chunk({ index: 0, delta: { role: "assistant", content: null }, finish_reason: "content_filter" })];
    }
    const prefix = `call_${res.responseId ?? meta.id}`;
    return candidates.flatMap((c, position) => {
      const index = c.index ?? position;
      const { text, calls } = splitParts(c.content?.parts);
      const before = toolCalls.get(index) ?? 0;
      toolCalls.set(index, before + calls.length);
      const tool_calls = calls.map((p, k) => ({ index: before + k, ...toolCall(p, `${prefix}_${before + k}`) }));
      // A repeated finishReason (some trailing events restate it) must not close the choice twice.
      const finish: FinishReason | null = finished.has(index) ? null : finishReason(c.finishReason, before + calls.length > 0);
      const delta = {
        ...(started.has(index) ? {} : { role: "assistant" as const }),
        ...(text ? { content: text } : {}),
        ...(tool_calls.length ? { tool_calls } : {}),
      };
      if (!Object.keys(delta).length && !finish) return [];
      started.add(index);
      if (finish) finished.add(index);
      return [chunk({ index, delta, finish_reason: finish, ...logprobsOf(c) })];
    });
  }

  return {
    event(ev) {
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        return { kind: "server", status: 502, message: "Gemini sent a stream event that is not JSON" } satisfies UpstreamError;
      }
      if (!isRecord(json)) return [];
      if (isRecord(json.error)) return geminiError(typeof json.error.code === "number" ? json.error.code : 500, json, new Headers());
      const res = json as GenerateContentResponse;
      if (typeof res.modelVersion === "string") model = res.modelVersion;
      if (isRecord(res.usageMetadata)) usage = toUsage(res.usageMetadata);
      return translate(res);
    },
    end() {
      const complete = blocked || (started.size > 0 && [...started].every((i) => finished.has(i)));
      if (!complete) return { kind: "server", status: 502, message: "The Gemini stream ended before a finish reason" };
      return usage ? [{ id: meta.id, object: "chat.completion.chunk", created: meta.created, model, choices: [], usage }] : [];
    },
    usage: () => usage,
  };
}
