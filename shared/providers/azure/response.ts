import type { ChatCompletion } from "../../openai/types";
import * as compatible from "../openai-compatible/response";
import type { ResponseMeta } from "../types";
import { AZURE_SPEC } from "./request";

type Choice = ChatCompletion["choices"][number];

/**
 * An Azure chat completion: OpenAI's, plus Azure's `prompt_filter_results` and per-choice
 * `content_filter_results`, which pass through (clients ignore unknown fields). A choice whose
 * output the filter removed (`finish_reason: "content_filter"`) can come without `content`: it gets
 * `content: null`, as OpenAI's schema requires.
 * @example azure.chatResponse(await res.json(), meta)
 */
export function chatResponse(json: unknown, meta: ResponseMeta): ChatCompletion {
  const completion = compatible.chatResponse(AZURE_SPEC, json, meta);
  const choices = completion.choices.map((choice: Choice): Choice => {
    const message = choice.message ?? { role: "assistant", content: null };
    return message.content === undefined ? { ...choice, message: { ...message, content: null } } : { ...choice, message };
  });
  return { ...completion, choices };
}
