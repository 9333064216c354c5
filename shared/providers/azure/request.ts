import type { ChatCompletionRequest } from "../../openai/chat-request";
import type { EmbeddingsRequest } from "../../openai/embeddings-request";
import * as compatible from "../openai-compatible/request";
import type { OpenAICompatibleSpec } from "../openai-compatible/specs";
import type { Target, UpstreamRequest } from "../types";

/** The `api-version` sent to deployment URLs unless the deployment sets `options.apiVersion` (latest GA data-plane version). */
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

/**
 * How Azure differs from OpenAI's wire format, as far as the shared OpenAI-compatible mapping cares:
 * it honours `stream_options.include_usage` and serves embeddings.
 */
export const AZURE_SPEC: OpenAICompatibleSpec = { streamUsage: "stream_options", embeddings: true };

type Operation = "chat/completions" | "embeddings";

/**
 * The URL of one operation. `options.api: "v1"` selects the version-less v1 API
 * (`/openai/v1/<op>`, deployment named by `model` in the body; `api-version` only when
 * `options.apiVersion` is set, e.g. `preview`); otherwise the deployment URL
 * `/openai/deployments/<deployment>/<op>?api-version=…`. A base URL given with a trailing `/openai`
 * or `/openai/v1` is accepted as the resource endpoint.
 */
export function azureUrl(target: Target, op: Operation): string {
  const endpoint = target.baseUrl.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
  const api = target.options?.api;
  if (api !== undefined && api !== "v1") throw new Error(`Azure option api must be "v1" or unset, got ${JSON.stringify(api)}`);
  const version = target.options?.apiVersion;
  if (api === "v1") return `${endpoint}/openai/v1/${op}${version ? `?api-version=${encodeURIComponent(version)}` : ""}`;
  const deployment = encodeURIComponent(target.model);
  return `${endpoint}/openai/deployments/${deployment}/${op}?api-version=${encodeURIComponent(version ?? DEFAULT_AZURE_API_VERSION)}`;
}

const headers = (target: Target): Record<string, string> => ({ "content-type": "application/json", "api-key": target.apiKey });

/**
 * An OpenAI chat request → Azure OpenAI: the body mapped as for any OpenAI-compatible upstream
 * (`model` = the deployment name, usage requested in streams), sent to the deployment or v1 URL with
 * the key in `api-key`.
 * @example chatRequest(body, { model: "gpt-4o-prod", baseUrl: "https://contoso.openai.azure.com", apiKey })
 */
export function chatRequest(body: ChatCompletionRequest, target: Target): UpstreamRequest {
  const req = compatible.chatRequest(AZURE_SPEC, body, target);
  return { ...req, url: azureUrl(target, "chat/completions"), headers: headers(target) };
}

/** An OpenAI embeddings request → Azure OpenAI (same body, Azure URL and `api-key` header). */
export function embeddingsRequest(body: EmbeddingsRequest, target: Target): UpstreamRequest {
  const req = compatible.embeddingsRequest(body, target);
  return { ...req, url: azureUrl(target, "embeddings"), headers: headers(target) };
}
