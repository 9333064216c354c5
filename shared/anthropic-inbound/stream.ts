import type { StreamEncoder } from "../chat/stream-encoder";
import { sseJson } from "../openai/sse";
import type { ChatCompletionChunk, FinishReason, ToolCallDelta, Usage } from "../openai/types";
import { toAnthropicError } from "./errors";
import { messageId, stopReason, toAnthropicUsage } from "./response";

type Bytes = string[];

/** One Anthropic event: `event: <type>` and its data, which repeats the type first. */
const event = (type: string, payload: Record<string, unknown> = {}): string => sseJson({ type, ...payload }, type);

/**
 * OpenAI chunks → Anthropic's Messages stream, one encoder per response:
 * `message_start` (at the first chunk), then for each content block `content_block_start`,
 * `content_block_delta`s and `content_block_stop` (a `ping` after the first start, as Anthropic
 * does), then at the end `message_delta` (stop_reason and usage) and `message_stop`.
 * - `reasoning_content` → a thinking block (thinking_delta; no signature, the gateway cannot sign);
 *   `content` and `refusal` → a text block (text_delta);
 * - each tool call → a tool_use block (`input: {}` at start), its argument fragments → input_json_delta.
 *   Blocks are sequential, as Anthropic's: a delta of another kind closes the open block. A fragment
 *   for a tool call already closed (upstreams do not interleave calls) still goes to its index.
 * - Usage: OpenAI upstreams report it only at the end (the `{choices: [], usage}` chunk asked for by
 *   `stream_options.include_usage`), so `message_start` carries zeros and `message_delta.usage` the
 *   whole count. Anthropic's API may send input and cache counts in message_delta, and its SDK takes
 *   them from there (they overwrite the start's), so the SDK's final message has the real usage.
 * - `error(err)` → `event: error` with `{"type":"error","error":{type, message}}` (the SDK throws).
 * @example completeChat({ ..., encoder: anthropicStreamEncoder("claude-haiku-4-5", c.get("requestId")) })
 */
export function anthropicStreamEncoder(requestedModel: string, requestId: string): StreamEncoder {
  let started = false;
  let next = 0;
  /** The open block: its Anthropic index and what it holds ("text", "thinking" or `tool:<OpenAI index>`). */
  let open: { index: number; key: string } | undefined;
  const toolBlocks = new Map<number, number>();
  let finish: FinishReason | null = null;
  let usage: Usage | null | undefined;
  let answered = false;
  let refused = false;

  const start = (): Bytes => {
    if (started) return [];
    started = true;
    const message = {
      id: messageId(requestId),
      type: "message",
      role: "assistant",
      model: requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: toAnthropicUsage(undefined),
    };
    return [event("message_start", { message })];
  };

  const close = (): Bytes => {
    if (!open) return [];
    const index = open.index;
    open = undefined;
    return [event("content_block_stop", { index })];
  };

  const begin = (key: string, block: Record<string, unknown>): Bytes => {
    const out = close();
    open = { index: next++, key };
    out.push(event("content_block_start", { index: open.index, content_block: block }));
    if (open.index === 0) out.push(event("ping"));
    return out;
  };

  const text = (kind: "text" | "thinking", piece: string): Bytes => {
    const out =
      open?.key === kind
        ? []
        : begin(kind, kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" });
    const delta = kind === "text" ? { type: "text_delta", text: piece } : { type: "thinking_delta", thinking: piece };
    out.push(event("content_block_delta", { index: open?.index, delta }));
    return out;
  };

  const tool = (call: ToolCallDelta): Bytes => {
    let out: Bytes = [];
    let index = toolBlocks.get(call.index);
    if (index === undefined) {
      const id = call.id || `toolu_${messageId(requestId).slice(4)}_${call.index}`;
      out = begin(`tool:${call.index}`, { type: "tool_use", id, name: call.function?.name ?? "", input: {} });
      index = next - 1;
      toolBlocks.set(call.index, index);
    }
    const partial = call.function?.arguments;
    if (partial) out.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } }));
    return out;
  };

  const end = (): Bytes => {
    const stop = refused && !answered ? "refusal" : stopReason(finish, toolBlocks.size > 0);
    return [
      ...start(),
      ...close(),
      event("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: toAnthropicUsage(usage) }),
      event("message_stop"),
    ];
  };

  return {
    chunk(chunk: ChatCompletionChunk) {
      const out = start();
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue;
        const { reasoning_content: reasoning, content, refusal, tool_calls: calls } = choice.delta;
        if (typeof reasoning === "string" && reasoning) out.push(...text("thinking", reasoning));
        if (content) {
          answered = true;
          out.push(...text("text", content));
        }
        if (refusal) {
          refused = true;
          out.push(...text("text", refusal));
        }
        for (const call of calls ?? []) out.push(...tool(call));
        if (choice.finish_reason) {
          finish = choice.finish_reason;
          out.push(...close());
        }
      }
      return out.join("");
    },
    error: (err) => event("error", { error: toAnthropicError(err).error }),
    done: () => end().join(""),
  };
}
