import type { ChatCompletionChunk } from "../../openai/types";
import * as compatible from "../openai-compatible/response";
import type { ResponseMeta, StreamTranslator } from "../types";
import { AZURE_SPEC } from "./request";

type Choice = ChatCompletionChunk["choices"][number];
type Head = Pick<ChatCompletionChunk, "id" | "object" | "created" | "model">;

/**
 * A choice as OpenAI streams it, or undefined for an Azure annotation that only reports on the
 * content filter (asynchronous filter mode: `content_filter_results`/`content_filter_offsets`, no
 * `delta`). An annotation that ends the choice (`finish_reason: "content_filter"`) is kept, with an
 * empty delta, since it is how the client learns its answer was cut.
 */
function openAIChoice(choice: Choice): Choice | undefined {
  if (choice.delta) return choice;
  return choice.finish_reason ? { ...choice, delta: {} } : undefined;
}

/**
 * Azure's stream → OpenAI's. Everything OpenAI-shaped passes through the shared compatible
 * translator (`[DONE]` required, usage captured, in-stream errors classified); on top of it, what
 * OpenAI never sends is removed:
 * - the prompt-filter chunk (`choices: []`, `prompt_filter_results`, no usage) that opens the stream.
 *   The usage chunk also has `choices: []`; it has `usage`, so it stays;
 * - annotation choices without a delta (see openAIChoice), and chunks left with no choice and no usage.
 * Annotation chunks carry empty `id`/`model`/`object` and `created: 0`: the kept ones get the
 * stream's own (from the last regular chunk, else the gateway's meta).
 * @example const t = azure.chatStream(meta); for await (const ev of body.pipeThrough(sseParser())) t.event(ev);
 */
export function chatStream(meta: ResponseMeta): StreamTranslator {
  const inner = compatible.chatStream(AZURE_SPEC);
  let head: Head = { id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model };

  const visible = (chunk: ChatCompletionChunk): ChatCompletionChunk | undefined => {
    if (!Array.isArray(chunk.choices)) return chunk;
    const choices = chunk.choices.map(openAIChoice).filter((c): c is Choice => c !== undefined);
    if (!choices.length && !chunk.usage) return undefined;
    if (chunk.id) {
      head = { id: chunk.id, object: "chat.completion.chunk", created: chunk.created, model: chunk.model };
      return choices.length === chunk.choices.length ? chunk : { ...chunk, choices };
    }
    return { ...chunk, ...head, choices };
  };

  return {
    event(ev) {
      const out = inner.event(ev);
      return Array.isArray(out) ? out.map(visible).filter((c): c is ChatCompletionChunk => c !== undefined) : out;
    },
    end: () => inner.end(),
    usage: () => inner.usage(),
  };
}
