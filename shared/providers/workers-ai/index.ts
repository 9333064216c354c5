import type { ProviderAdapter } from "../types";
import { embeddingsRequest, embeddingsResponse } from "./embeddings";
import { workersAiError } from "./errors";
import { chatRequest } from "./request";
import { chatResponse } from "./response";
import { send } from "./send";
import { chatStream } from "./stream";

export { AdapterInputError } from "../adapter-input-error";
export { WORKERS_AI_CODES } from "./errors";
export { WORKERS_AI_RUN } from "./request";
export { AI_BINDING, type AiBinding } from "./send";

/**
 * Cloudflare Workers AI through the Worker's `AI` binding (no HTTP, no key): requests are
 * `workers-ai://run/<model>` pseudo-requests that `send` performs with `env.AI.run`, so the generic
 * send path serves it like any other provider. `Target.model` is the model id, e.g.
 * `@cf/meta/llama-3.1-8b-instruct` or `@cf/baai/bge-base-en-v1.5`. The binding is optional
 * (production only; it has no local simulation): without it `send` throws.
 * @example await send({ provider: { id: "workers-ai", adapter: workersAi, connection }, request: workersAi.chatRequest(body, target), bindings: env })
 */
export const workersAi: ProviderAdapter = {
  id: "workers-ai",
  capabilities: { chat: true, embeddings: true, tools: true, streaming: true, vision: true },
  chatRequest,
  chatResponse,
  chatStream,
  embeddingsRequest,
  embeddingsResponse,
  error: workersAiError,
  send,
};
