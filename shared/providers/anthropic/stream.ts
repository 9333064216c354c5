import type { SseEvent } from "../../openai/sse";
import type { ChatCompletionChunk, FinishReason } from "../../openai/types";
import type { ResponseMeta, StreamTranslator, UpstreamError } from "../types";
import { anthropicStreamError } from "./errors";
import { finishReason, toOpenAIUsage } from "./response";
import { type AnthropicUsage, isRecord, JSON_TOOL_NAME } from "./wire";

type Delta = ChatCompletionChunk["choices"][number]["delta"];
type Rec = Record<string, unknown>;

const rec = (v: unknown): Rec => (isRecord(v) ? v : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Copies the counts present (numbers, not null) over the ones known: message_delta counts are cumulative. */
function mergeUsage(into: AnthropicUsage | undefined, update: unknown): AnthropicUsage | undefined {
  if (!isRecord(update)) return into;
  const next: AnthropicUsage = { ...into };
  for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const) {
    const value = update[key];
    if (typeof value === "number") next[key] = value;
  }
  if (isRecord(update.output_tokens_details)) next.output_tokens_details = update.output_tokens_details;
  return next;
}

/**
 * Anthropic's stream events → OpenAI chunks, one translator per response:
 * - message_start → the first chunk, `{role: "assistant", content: ""}`; its usage holds the input counts;
 * - text_delta → `content`; thinking_delta → `reasoning_content` (as in chatResponse);
 * - a tool_use block start → a tool_calls delta with index (position among tool calls), id, type, name
 *   and `arguments: ""`; its input_json_delta fragments → `arguments` fragments. The JSON-mode tool's
 *   fragments are `content` instead;
 * - message_delta → the finish_reason chunk; its usage (cumulative output, and in newer API versions
 *   input and cache counts too) replaces the counts known so far;
 * - message_stop marks success; ping, content_block_stop, signature/citation deltas and unknown
 *   events yield nothing; `error` → UpstreamError.
 * `end()` gives the usage chunk `{choices: [], usage}` after message_stop, and an UpstreamError otherwise.
 */
export function chatStream(meta: ResponseMeta): StreamTranslator {
  let model = meta.model;
  let usage: AnthropicUsage | undefined;
  let stopped = false;
  let toolCalls = 0;
  /** Anthropic block index → the OpenAI tool call index, or "json" for the JSON-mode tool. */
  const toolBlocks = new Map<number, number | "json">();

  const chunk = (delta: Delta, finish: FinishReason | null = null): ChatCompletionChunk => ({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

  function blockStart(index: unknown, block: Rec): ChatCompletionChunk[] {
    if (block.type === "text" && str(block.text)) return [chunk({ content: str(block.text) })];
    if (block.type === "thinking" && str(block.thinking)) return [chunk({ reasoning_content: str(block.thinking) })];
    if (block.type !== "tool_use" || typeof index !== "number") return [];
    if (block.name === JSON_TOOL_NAME) {
      toolBlocks.set(index, "json");
      return [];
    }
    const call = toolCalls++;
    toolBlocks.set(index, call);
    return [
      chunk({ tool_calls: [{ index: call, id: str(block.id), type: "function", function: { name: str(block.name), arguments: "" } }] }),
    ];
  }

  function blockDelta(index: unknown, delta: Rec): ChatCompletionChunk[] {
    if (delta.type === "text_delta" && str(delta.text)) return [chunk({ content: str(delta.text) })];
    if (delta.type === "thinking_delta" && str(delta.thinking)) return [chunk({ reasoning_content: str(delta.thinking) })];
    const fragment = str(delta.partial_json);
    const call = typeof index === "number" ? toolBlocks.get(index) : undefined;
    if (delta.type !== "input_json_delta" || !fragment || call === undefined) return [];
    return [call === "json" ? chunk({ content: fragment }) : chunk({ tool_calls: [{ index: call, function: { arguments: fragment } }] })];
  }

  function handle(data: Rec): ChatCompletionChunk[] | UpstreamError {
    switch (data.type) {
      case "message_start": {
        const message = rec(data.message);
        if (typeof message.model === "string" && message.model) model = message.model;
        usage = mergeUsage(usage, message.usage);
        return [chunk({ role: "assistant", content: "" })];
      }
      case "content_block_start":
        return blockStart(data.index, rec(data.content_block));
      case "content_block_delta":
        return blockDelta(data.index, rec(data.delta));
      case "message_delta": {
        usage = mergeUsage(usage, data.usage);
        const stop = rec(data.delta).stop_reason;
        return typeof stop === "string" ? [chunk({}, finishReason(stop, toolCalls > 0))] : [];
      }
      case "message_stop":
        stopped = true;
        return [];
      case "error":
        return anthropicStreamError(data);
      default:
        return [];
    }
  }

  return {
    event(ev: SseEvent) {
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return { kind: "server", status: 502, message: "Anthropic sent a stream event that is not JSON" };
      }
      return isRecord(data) ? handle({ type: ev.event, ...data }) : [];
    },
    end() {
      if (!stopped) return { kind: "server", status: 502, message: "The Anthropic stream ended before message_stop" };
      return usage
        ? [{ id: meta.id, object: "chat.completion.chunk", created: meta.created, model, choices: [], usage: toOpenAIUsage(usage) }]
        : [];
    },
    usage: () => (usage ? toOpenAIUsage(usage) : undefined),
  };
}
