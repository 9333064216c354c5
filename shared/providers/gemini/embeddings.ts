import { estimatedEmbeddingsUsage } from "../../metering/estimate";
import { float32Base64 } from "../../openai/base64-floats";
import type { EmbeddingsRequest } from "../../openai/embeddings-request";
import type { EmbeddingsResponse } from "../../openai/types";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta, Target, UpstreamRequest } from "../types";
import { inputError } from "./errors";
import { geminiRequest } from "./request";
import { isRecord } from "./wire";

function texts(input: EmbeddingsRequest["input"]): string[] {
  if (typeof input === "string") return [input];
  if (input.every((x): x is string => typeof x === "string")) return input;
  throw inputError("input", "must be text: Gemini embeddings do not take token arrays");
}

/**
 * An OpenAI embeddings request → `models/<model>:batchEmbedContents`, one request per input
 * (`dimensions` → `outputDimensionality`).
 * @example gemini.embeddingsRequest({ model: "embed", input: ["a", "b"] }, target)
 */
export function embeddingsRequest(body: EmbeddingsRequest, target: Target): UpstreamRequest {
  const requests = texts(body.input).map((text) => ({
    model: `models/${target.model}`,
    content: { parts: [{ text }] },
    ...(body.dimensions ? { outputDimensionality: body.dimensions } : {}),
  }));
  return geminiRequest(target, "batchEmbedContents", { requests });
}

/**
 * `{embeddings: [{values}]}` → OpenAI's list. batchEmbedContents reports no token counts, so
 * usage is estimated from the request's text (see estimateTokens) and marked `estimated`
 * (non-enumerable, so JSON rendering drops it while metering can still read it). The request is
 * needed for that and for `encoding_format`.
 * @example gemini.embeddingsResponse(await res.json(), meta, body)
 */
export function embeddingsResponse(json: unknown, meta: ResponseMeta, body: EmbeddingsRequest): EmbeddingsResponse {
  if (!isRecord(json) || !Array.isArray(json.embeddings))
    throw new MalformedUpstreamResponse("Gemini embeddings answer without embeddings");
  const data = json.embeddings.map((e: unknown, index: number) => {
    if (!isRecord(e) || !Array.isArray(e.values)) throw new MalformedUpstreamResponse("Gemini embedding without values");
    const values = e.values as number[];
    return { object: "embedding" as const, index, embedding: body.encoding_format === "base64" ? float32Base64(values) : values };
  });
  return { object: "list", data, model: meta.model, usage: estimatedEmbeddingsUsage(body.input) };
}
