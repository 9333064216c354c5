import { z } from "@hono/zod-openapi";
import type { ChatCompletionRequest, ChatRequestMessage } from "../openai/chat-request";
import type { ContentPart, Tool, ToolCall, ToolChoice } from "../openai/types";
import { AdapterInputError } from "../providers/adapter-input-error";
import { isRecord } from "../providers/anthropic/wire";

/** Content blocks are checked where they are read (`toChatRequest`), so errors name the block at fault. */
const Block = z.looseObject({ type: z.string() });
const Content = z.union([z.string(), z.array(Block)]);

const ToolDef = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  type: z.string().optional(),
});

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const ToolChoiceParam = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), ...parallel }),
  z.looseObject({ type: z.literal("any"), ...parallel }),
  z.looseObject({ type: z.literal("tool"), name: z.string().min(1), ...parallel }),
  z.looseObject({ type: z.literal("none") }),
]);

/**
 * The body of Anthropic's `POST /v1/messages`. Loose at every level (unknown fields are accepted and
 * ignored); typed on the fields `toChatRequest` reads.
 */
export const MessagesRequest = z
  .looseObject({
    model: z.string().min(1),
    max_tokens: z.number().int().positive(),
    messages: z.array(z.looseObject({ role: z.enum(["user", "assistant"]), content: Content })).min(1),
    system: z.union([z.string(), z.array(z.looseObject({ type: z.literal("text"), text: z.string() }))]).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    stop_sequences: z.array(z.string()).optional(),
    stream: z.boolean().optional(),
    metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
    tools: z.array(ToolDef).optional(),
    tool_choice: ToolChoiceParam.optional(),
    thinking: z.looseObject({ type: z.string() }).optional(),
  })
  .openapi("MessagesRequest");

export type MessagesRequest = z.infer<typeof MessagesRequest>;
type Message = MessagesRequest["messages"][number];
type Block = z.infer<typeof Block>;

/** Prefixed to a `tool_result` marked `is_error`: the OpenAI tool message has no flag of its own. */
export const TOOL_ERROR_PREFIX = "Error: ";

/**
 * An Anthropic Messages request → the gateway's OpenAI chat request.
 * - `system` (string or text blocks, joined by "\n") → one leading system message;
 * - text and image blocks → text and `image_url` parts (base64 sources as `data:` URLs);
 * - assistant `tool_use` blocks → `tool_calls` (arguments = JSON of the input); thinking blocks are
 *   dropped (OpenAI messages cannot carry them back);
 * - user `tool_result` blocks → `tool` messages, ahead of the rest of that user turn; `is_error` is
 *   noted by TOOL_ERROR_PREFIX;
 * - tools, tool_choice (auto/any/tool/none → auto/required/function/none; dropped without tools),
 *   `disable_parallel_tool_use` → `parallel_tool_calls: false`;
 * - max_tokens, temperature, top_p, stop_sequences → stop, metadata.user_id → user; `stream` also
 *   asks for the usage chunk, which the Anthropic stream needs for `message_delta`;
 * - `top_k` and `thinking` pass through as vendor fields (the Anthropic adapter reads them).
 * Unknown top-level fields are ignored. Content the OpenAI format cannot carry (documents, server
 * tools, images in tool results, file sources) throws AdapterInputError naming the Anthropic param.
 * @example toChatRequest({ model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] })
 */
export function toChatRequest(body: MessagesRequest): ChatCompletionRequest {
  const system = systemText(body.system);
  const messages: ChatRequestMessage[] = [
    ...(system ? [{ role: "system" as const, content: system }] : []),
    ...body.messages.flatMap((m, i) => toMessages(m, `messages[${i}]`)),
  ];
  const out: ChatCompletionRequest = { model: body.model, messages, max_tokens: body.max_tokens, ...toolsOf(body) };
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (body.top_k !== undefined) out.top_k = body.top_k;
  if (body.stop_sequences?.length) out.stop = body.stop_sequences;
  if (body.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (body.metadata?.user_id) out.user = body.metadata.user_id;
  if (body.thinking) out.thinking = body.thinking;
  return out;
}

function systemText(system: MessagesRequest["system"]): string {
  return typeof system === "string" || system === undefined ? (system ?? "") : system.map((b) => b.text).join("\n");
}

function toMessages(m: Message, at: string): ChatRequestMessage[] {
  if (typeof m.content === "string") return [{ role: m.role, content: m.content }];
  return m.role === "assistant" ? [assistant(m.content, at)] : user(m.content, at);
}

function assistant(blocks: Block[], at: string): ChatRequestMessage {
  let text = "";
  const calls: ToolCall[] = [];
  blocks.forEach((b, j) => {
    const where = `${at}.content[${j}]`;
    if (b.type === "text") text += str(b, "text", where);
    else if (b.type === "tool_use") calls.push(toolCall(b, where));
    else if (b.type !== "thinking" && b.type !== "redacted_thinking") throw unsupported(b.type, "assistant", where);
  });
  return calls.length ? { role: "assistant", content: text || null, tool_calls: calls } : { role: "assistant", content: text };
}

function user(blocks: Block[], at: string): ChatRequestMessage[] {
  const results: ChatRequestMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((b, j) => {
    const where = `${at}.content[${j}]`;
    if (b.type === "tool_result") results.push(toolMessage(b, where));
    else if (b.type === "text") parts.push({ type: "text", text: str(b, "text", where) });
    else if (b.type === "image") parts.push(image(b, where));
    else throw unsupported(b.type, "user", where);
  });
  return parts.length || !results.length ? [...results, { role: "user", content: parts }] : results;
}

function toolCall(b: Block, at: string): ToolCall {
  if (!isRecord(b.input)) throw new AdapterInputError("tool_use input must be an object", `${at}.input`);
  return { id: str(b, "id", at), type: "function", function: { name: str(b, "name", at), arguments: JSON.stringify(b.input) } };
}

function toolMessage(b: Block, at: string): ChatRequestMessage {
  const id = str(b, "tool_use_id", at);
  let text: string;
  if (typeof b.content === "string" || b.content === undefined) text = b.content ?? "";
  else if (Array.isArray(b.content)) {
    text = b.content
      .map((inner, k) => {
        const where = `${at}.content[${k}]`;
        if (isRecord(inner) && inner.type === "text") return str(inner, "text", where);
        throw new AdapterInputError("Only text is supported inside tool_result content", where);
      })
      .join("\n");
  } else throw new AdapterInputError("tool_result content must be a string or a list of text blocks", `${at}.content`);
  return { role: "tool", tool_call_id: id, content: b.is_error === true ? `${TOOL_ERROR_PREFIX}${text}` : text };
}

function image(b: Block, at: string): ContentPart {
  const source = isRecord(b.source) ? b.source : {};
  if (source.type === "base64") {
    const url = `data:${str(source, "media_type", `${at}.source`)};base64,${str(source, "data", `${at}.source`)}`;
    return { type: "image_url", image_url: { url } };
  }
  if (source.type === "url") return { type: "image_url", image_url: { url: str(source, "url", `${at}.source`) } };
  throw new AdapterInputError("Image sources must be base64 or url", `${at}.source.type`);
}

const CHOICES = { auto: "auto", any: "required", none: "none" } as const;

function toolsOf(body: MessagesRequest): Pick<ChatCompletionRequest, "tools" | "tool_choice" | "parallel_tool_calls"> {
  if (!body.tools?.length) return {};
  const tools: Tool[] = body.tools.map((t, i) => {
    if (t.type !== undefined && t.type !== "custom")
      throw new AdapterInputError(`Server tools ('${t.type}') are not supported through this gateway`, `tools[${i}].type`);
    if (!t.input_schema) throw new AdapterInputError("Custom tools need an input_schema", `tools[${i}].input_schema`);
    return {
      type: "function",
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema },
    };
  });
  const choice = body.tool_choice;
  if (!choice) return { tools };
  const toolChoice: ToolChoice = choice.type === "tool" ? { type: "function", function: { name: choice.name } } : CHOICES[choice.type];
  const serial = choice.type !== "none" && choice.disable_parallel_tool_use === true;
  return { tools, tool_choice: toolChoice, ...(serial ? { parallel_tool_calls: false } : {}) };
}

function str(b: Record<string, unknown>, field: string, at: string): string {
  const v = b[field];
  if (typeof v !== "string") throw new AdapterInputError(`${field} must be a string`, `${at}.${field}`);
  return v;
}

const unsupported = (type: string, role: string, at: string) =>
  new AdapterInputError(`Content blocks of type '${type}' are not supported in ${role} messages through this gateway`, `${at}.type`);
