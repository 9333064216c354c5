import type { ChatCompletionChunk, ToolCallDelta, Usage } from "../../openai/types";
import type { ResponseMeta, StreamTranslator, UpstreamError } from "../types";
import { workersAiError } from "./errors";
import { argumentsOf, finishReason, isRecord, openAIChoice, textOf, toUsage } from "./response";

type Delta = ChatCompletionChunk["choices"][number]["delta"];

/**
 * Workers AI's SSE (`data: {"response":"…"}` events, usage on the last one, then `data: [DONE]`) →
 * OpenAI chunks: one content delta per non-empty event, the role on the first. Tool calls arrive
 * whole (`{name, arguments}`) or in pieces (`{index, id, function: {name}}`, then
 * `{index, function: {arguments}}`, closed by an all-null piece that is dropped); both become
 * OpenAI's indexed tool_calls deltas. Events in OpenAI's shape (`choices[0].delta`, from newer
 * models) are read the same way. `[DONE]` yields the finish chunk and, when the model reported
 * usage, OpenAI's usage chunk (`choices: []`); a stream that closes without it is an UpstreamError.
 * @example const t = workersAi.chatStream(meta); for await (const ev of body.pipeThrough(sseParser())) t.event(ev);
 */
export function chatStream(meta: ResponseMeta): StreamTranslator {
  const calls = new Map<number, number>(); // upstream tool call index → OpenAI index
  let callCount = 0;
  let started = false;
  let done = false;
  let finish: unknown;
  let usage: Usage | undefined;

  const chunk = (choices: ChatCompletionChunk["choices"], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices,
    ...extra,
  });

  function toolDeltas(raw: unknown[]): ToolCallDelta[] {
    const out: ToolCallDelta[] = [];
    for (const piece of raw) {
      if (!isRecord(piece)) continue;
      const fn = isRecord(piece.function) ? piece.function : piece;
      const name = typeof fn.name === "string" && fn.name ? fn.name : undefined;
      const args = fn.arguments == null || fn.arguments === "" ? undefined : argumentsOf(fn.arguments);
      const known = typeof piece.index === "number" ? calls.get(piece.index) : undefined;
      if (known !== undefined) {
        if (args !== undefined) out.push({ index: known, function: { arguments: args } });
        continue;
      }
      if (!name) continue; // the all-null closing piece, or arguments of a call never opened
      const index = callCount++;
      if (typeof piece.index === "number") calls.set(piece.index, index);
      const id = typeof piece.id === "string" && piece.id ? piece.id : `call_${meta.id}_${index}`;
      out.push({ index, id, type: "function", function: { name, arguments: args ?? "" } });
    }
    return out;
  }

  function translate(json: Record<string, unknown>): ChatCompletionChunk[] {
    usage = toUsage(json.usage) ?? usage;
    const choice = openAIChoice(json);
    const source = choice ? ([choice.delta, choice.message].find(isRecord) ?? {}) : json;
    const text = choice ? textOf(source.content) : textOf(json.response);
    const reasoning = typeof source.reasoning_content === "string" ? source.reasoning_content : undefined;
    const tools = Array.isArray(source.tool_calls) ? toolDeltas(source.tool_calls) : [];
    finish = choice?.finish_reason ?? json.finish_reason ?? finish;
    if (!text && !reasoning && !tools.length) return [];
    const delta: Delta = {
      ...(started ? {} : { role: "assistant" as const }),
      ...(text ? { content: text } : {}),
      ...(reasoning ? { reasoning_content: reasoning } : {}),
      ...(tools.length ? { tool_calls: tools } : {}),
    };
    started = true;
    return [chunk([{ index: 0, delta, finish_reason: null }])];
  }

  return {
    event(ev) {
      if (done) return [];
      if (ev.data === "[DONE]") {
        done = true;
        const last = chunk([
          { index: 0, delta: started ? {} : { role: "assistant", content: "" }, finish_reason: finishReason(finish, callCount > 0) },
        ]);
        return usage ? [last, chunk([], { usage })] : [last];
      }
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        return { kind: "server", status: 502, message: "Workers AI sent a stream event that is not JSON" } satisfies UpstreamError;
      }
      if (!isRecord(json)) return [];
      if ("error" in json || "errors" in json) return workersAiError(500, json, new Headers());
      return translate(json);
    },
    end() {
      return done ? [] : { kind: "server", status: 502, message: "The Workers AI stream ended before [DONE]" };
    },
    usage: () => usage,
  };
}
