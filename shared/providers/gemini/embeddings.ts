import { estimateTokens } from "../../metering/estimate";
import type { EmbeddingsRequest } from "../../openai/embeddings-request";
import type { EmbeddingsResponse } from "../../openai/types";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta, Target, UpstreamRequest } from "../types";
import { inputError } from "./errors";
import { geminiRequest } from "./request";
import { isRecord } from "./wire";

/** Usage the gateway computed itself because the upstream reports none. `estimated` is non-enumerable: it never reaches the client. */
export type EstimatedUsage = EmbeddingsResponse["usage"] & { readonly estimated?: true };

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

/** Float32 little-endian bytes in base64: what OpenAI returns for `encoding_format: "base64"`. */
function base64(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (const [i, v] of values.entries()) view.setFloat32(i * 4, v, true);
  const bytes = new Uint8Array(view.buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
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
    return { object: "embedding" as const, index, embedding: body.encoding_format === "base64" ? base64(values) : values };
  });
  const tokens = texts(body.input).reduce((sum, text) => sum + estimateTokens(text), 0);
  const usage: EstimatedUsage = Object.defineProperty({ prompt_tokens: tokens, total_tokens: tokens }, "estimated", {
    value: true,
    enumerable: false,
  });
  return { object: "list", data, model: meta.model, usage };
}
