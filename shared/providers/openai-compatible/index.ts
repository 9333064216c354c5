import type { ProviderAdapter } from "../types";
import { openAIError } from "./errors";
import { chatRequest, embeddingsRequest } from "./request";
import { chatResponse, chatStream, embeddingsResponse } from "./response";
import type { OpenAICompatibleSpec } from "./specs";

/**
 * The one adapter for every OpenAI-compatible provider, configured by its spec row.
 * @example const groq = openAICompatible("groq", OPENAI_COMPATIBLE.groq);
 */
export function openAICompatible(id: string, spec: OpenAICompatibleSpec): ProviderAdapter {
  return {
    id,
    capabilities: { chat: true, embeddings: spec.embeddings, tools: !spec.drop?.includes("tools"), streaming: true, vision: true },
    chatRequest: (body, target) => chatRequest(spec, body, target),
    chatResponse: (json, meta) => chatResponse(spec, json, meta),
    chatStream: () => chatStream(spec),
    ...(spec.embeddings ? { embeddingsRequest, embeddingsResponse: (json: unknown) => embeddingsResponse(json) } : {}),
    error: openAIError,
  };
}
