import type { ChatCompletion, ChatCompletionChunk, EmbeddingsResponse, Usage } from "../../openai/types";
import { MalformedUpstreamResponse } from "../malformed";
import type { ResponseMeta, StreamTranslator, UpstreamError } from "../types";
import { openAIError } from "./errors";
import type { OpenAICompatibleSpec } from "./specs";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function usageOf(spec: OpenAICompatibleSpec, json: Record<string, unknown>): Usage | undefined {
  const extra = spec.usageAlsoIn ? json[spec.usageAlsoIn] : undefined;
  const usage = json.usage ?? (isRecord(extra) ? extra.usage : undefined);
  return isRecord(usage) && typeof usage.prompt_tokens === "number" ? (usage as Usage) : undefined;
}

/** A compatible upstream's completion, checked for shape; usage moved to the top level if needed. */
export function chatResponse(spec: OpenAICompatibleSpec, json: unknown, meta: ResponseMeta): ChatCompletion {
  if (!isRecord(json) || !Array.isArray(json.choices)) throw new MalformedUpstreamResponse("chat completion without choices");
  const usage = usageOf(spec, json);
  return { ...(json as ChatCompletion), id: typeof json.id === "string" ? json.id : meta.id, ...(usage ? { usage } : {}) };
}

/** Passes chunks through, noting usage; a stream that closes before `[DONE]` is an error. */
export function chatStream(spec: OpenAICompatibleSpec): StreamTranslator {
  let done = false;
  let usage: Usage | undefined;
  let last: { chunk: ChatCompletionChunk; text: string } | undefined;
  return {
    event(ev) {
      if (ev.data === "[DONE]") {
        done = true;
        return [];
      }
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        return { kind: "server", status: 502, message: "The upstream sent a stream event that is not JSON" } satisfies UpstreamError;
      }
      if (!isRecord(json)) return [];
      if ("error" in json) return openAIError(500, json, new Headers());
      usage = usageOf(spec, json) ?? usage;
      last = { chunk: json as ChatCompletionChunk, text: ev.data };
      return [last.chunk];
    },
    end() {
      return done ? [] : { kind: "server", status: 502, message: "The upstream stream ended before [DONE]" };
    },
    usage: () => usage,
    // chunks are passed on unchanged: an OpenAI client can get the upstream's own text
    source: (chunk) => (chunk === last?.chunk ? last.text : undefined),
  };
}

/** A compatible upstream's embeddings list, checked for shape. */
export function embeddingsResponse(json: unknown): EmbeddingsResponse {
  if (!isRecord(json) || !Array.isArray(json.data)) throw new MalformedUpstreamResponse("embeddings response without data");
  return json as EmbeddingsResponse;
}
