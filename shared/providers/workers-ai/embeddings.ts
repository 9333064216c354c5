import { estimatedEmbeddingsUsage } from "../../metering/estimate";
import { float32Base64 } from "../../openai/base64-floats";
import type { EmbeddingsRequest } from "../../openai/embeddings-request";
import type { EmbeddingsResponse } from "../../openai/types";
import { AdapterInputError } from "../adapter-input-error";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta, Target, UpstreamRequest } from "../types";
import { runRequest } from "./request";
import { isRecord } from "./response";

/**
 * An OpenAI embeddings request → `AI.run(model, {text})` (a string stays a string, a list a list).
 * Rejected with AdapterInputError: token-array inputs (Workers AI embeds text) and `dimensions`
 * (each model has a fixed size, e.g. 768 for `@cf/baai/bge-base-en-v1.5`).
 * @example embeddingsRequest({ model: "bge", input: ["a", "b"] }, { model: "@cf/baai/bge-base-en-v1.5", baseUrl: "workers-ai:", apiKey: "" })
 */
export function embeddingsRequest(body: EmbeddingsRequest, target: Target): UpstreamRequest {
  const input = body.input;
  const text = typeof input === "string" ? input : input.every((x): x is string => typeof x === "string") ? input : undefined;
  if (text === undefined) throw new AdapterInputError("input must be text: Workers AI embeddings do not take token arrays", "input");
  if (body.dimensions !== undefined)
    throw new AdapterInputError("Workers AI embedding models have a fixed size; dimensions is not supported", "dimensions");
  return runRequest(target.model, { text });
}

/**
 * `{shape, data: number[][]}` → OpenAI's list, encoded as the request asked. Workers AI embedding
 * models report no token counts: usage is then counted locally from the input and flagged
 * estimated (see shared/metering/estimate.ts); a count the model does report is used.
 * @example workersAi.embeddingsResponse({ shape: [1, 3], data: [[0.1, 0.2, 0.3]] }, meta, body)
 */
export function embeddingsResponse(json: unknown, meta: ResponseMeta, body: EmbeddingsRequest): EmbeddingsResponse {
  if (!isRecord(json) || !Array.isArray(json.data)) throw new MalformedUpstreamResponse("Workers AI embeddings result without data");
  const data = json.data.map((values: unknown, index: number) => {
    if (!Array.isArray(values) || !values.every((v) => typeof v === "number"))
      throw new MalformedUpstreamResponse("Workers AI embedding is not a list of numbers");
    return { object: "embedding" as const, index, embedding: body.encoding_format === "base64" ? float32Base64(values) : values };
  });
  const reported = isRecord(json.usage) && typeof json.usage.prompt_tokens === "number" ? json.usage.prompt_tokens : undefined;
  const usage = reported !== undefined ? { prompt_tokens: reported, total_tokens: reported } : estimatedEmbeddingsUsage(body.input);
  return { object: "list", data, model: meta.model, usage };
}
