import type { ProviderAdapter } from "../types";
import { anthropicError } from "./errors";
import { chatRequest } from "./request";
import { chatResponse } from "./response";
import { chatStream } from "./stream";

export { AdapterInputError } from "../adapter-input-error";
export { DEFAULT_ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS } from "./request";

/**
 * Anthropic's Messages API behind the OpenAI chat format. Chat only: Anthropic has no embeddings API.
 * `chatRequest` throws AdapterInputError for requests it cannot translate (render as 400 with `param`).
 * @example adapters.anthropic.chatRequest(body, { model: "claude-sonnet-4-5", baseUrl: "https://api.anthropic.com", apiKey })
 */
export const anthropic: ProviderAdapter = {
  id: "anthropic",
  capabilities: { chat: true, embeddings: false, tools: true, streaming: true, vision: true },
  chatRequest,
  chatResponse,
  chatStream,
  error: anthropicError,
};
