import type { ChatCompletionRequest } from "../../openai/chat-request";
import type { EmbeddingsRequest } from "../../openai/embeddings-request";
import type { Target, UpstreamRequest } from "../types";
import type { OpenAICompatibleSpec } from "./specs";

function headers(target: Target): Record<string, string> {
  return target.apiKey
    ? { "content-type": "application/json", authorization: `Bearer ${target.apiKey}` }
    : { "content-type": "application/json" };
}

/**
 * The chat request as the compatible upstream wants it: model swapped for the upstream's id, roles,
 * dropped and renamed fields per the spec, and usage asked for in streams. Everything else passes
 * through untouched (vendor extensions included).
 */
export function chatRequest(spec: OpenAICompatibleSpec, body: ChatCompletionRequest, target: Target): UpstreamRequest {
  const out: Record<string, unknown> = { ...body, model: target.model };
  if (spec.roleMap) {
    const map = spec.roleMap;
    out.messages = body.messages.map((m) => (map[m.role] ? { ...m, role: map[m.role] } : m));
  }
  for (const field of spec.drop ?? []) delete out[field];
  for (const [from, to] of Object.entries(spec.rename ?? {})) {
    if (to && from in out) {
      out[to] ??= out[from];
      delete out[from];
    }
  }
  if (body.stream && spec.streamUsage === "stream_options") out.stream_options = { ...body.stream_options, include_usage: true };
  else delete out.stream_options;
  return { url: `${target.baseUrl}/chat/completions`, method: "POST", headers: headers(target), body: JSON.stringify(out) };
}

/** The embeddings request with the upstream's model id; everything else passes through. */
export function embeddingsRequest(body: EmbeddingsRequest, target: Target): UpstreamRequest {
  return {
    url: `${target.baseUrl}/embeddings`,
    method: "POST",
    headers: headers(target),
    body: JSON.stringify({ ...body, model: target.model }),
  };
}
