import type { EmbeddingsRequest } from "../../openai/embeddings-request";
import type { ProviderAdapter, ResponseMeta } from "../types";
import { embeddingsRequest, embeddingsResponse } from "./embeddings";
import { geminiError } from "./errors";
import { chatRequest } from "./request";
import { chatResponse } from "./response";
import { chatStream } from "./stream";

export { AdapterInputError } from "../adapter-input-error";

/**
 * Google's Gemini API (generativelanguage.googleapis.com, `v1beta`): chat through
 * generateContent / streamGenerateContent (SSE), embeddings through batchEmbedContents.
 * @example const req = gemini.chatRequest(body, { model: "gemini-2.5-flash", baseUrl: "https://generativelanguage.googleapis.com", apiKey });
 */
export const gemini: ProviderAdapter = {
  id: "gemini",
  capabilities: { chat: true, embeddings: true, tools: true, streaming: true, vision: true },
  chatRequest,
  chatResponse,
  chatStream,
  embeddingsRequest,
  // The third argument is not in ProviderAdapter yet: Gemini's answer carries neither token counts
  // nor the requested encoding, so both come from the request.
  embeddingsResponse(json: unknown, meta: ResponseMeta, body: EmbeddingsRequest) {
    return embeddingsResponse(json, meta, body);
  },
  error: geminiError,
};
