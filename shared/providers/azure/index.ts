import * as compatible from "../openai-compatible/response";
import type { ProviderAdapter } from "../types";
import { azureError } from "./errors";
import { chatRequest, embeddingsRequest } from "./request";
import { chatResponse } from "./response";
import { chatStream } from "./stream";

export { AZURE_SPEC, azureUrl, DEFAULT_AZURE_API_VERSION } from "./request";

/**
 * Azure OpenAI (`https://<resource>.openai.azure.com`): OpenAI's wire format behind Azure's URLs,
 * `api-key` header and content filter. `Target.model` is the deployment name; `Target.options`:
 * `apiVersion` (default DEFAULT_AZURE_API_VERSION) and `api: "v1"` for the `/openai/v1` API.
 * @example azure.chatRequest(body, { model: "gpt-4o-prod", baseUrl: "https://contoso.openai.azure.com", apiKey, options: { api: "v1" } })
 */
export const azure: ProviderAdapter = {
  id: "azure",
  capabilities: { chat: true, embeddings: true, tools: true, streaming: true, vision: true },
  chatRequest,
  chatResponse,
  chatStream,
  embeddingsRequest,
  embeddingsResponse: (json) => compatible.embeddingsResponse(json),
  error: azureError,
};
