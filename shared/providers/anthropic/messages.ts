import type { ChatRequestMessage } from "../../openai/chat-request";
import { AdapterInputError } from "../adapter-input-error";
import {
  type ContentBlockParam,
  type ImageBlock,
  isRecord,
  type MessageParam,
  type TextBlock,
  type ToolResultBlock,
  type ToolUseBlock,
} from "./wire";

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

type Content = ChatRequestMessage["content"];

/**
 * OpenAI messages → Anthropic's `system` string and `messages` list.
 * - system and developer messages are hoisted into `system`, joined by a blank line, in order;
 * - tool messages become `tool_result` blocks of a user message;
 * - consecutive messages of one role are merged (Anthropic requires alternating roles), and in a
 *   merged user message the tool results go first, as Anthropic requires;
 * - messages that carry nothing (an empty assistant turn) are dropped: empty blocks are rejected upstream.
 */
export function toAnthropicMessages(input: readonly ChatRequestMessage[]): { system?: string; messages: MessageParam[] } {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  input.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (m.role === "system" || m.role === "developer") {
      const text = textOf(m.content, `${at}.content`);
      if (text) system.push(text);
      return;
    }
    const blocks = blocksOf(m, at);
    if (!blocks.length) return;
    const role = m.role === "assistant" ? "assistant" : "user";
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  });
  for (const m of messages) {
    if (m.role === "user")
      m.content = [...m.content.filter((b) => b.type === "tool_result"), ...m.content.filter((b) => b.type !== "tool_result")];
  }
  return system.length ? { system: system.join("\n\n"), messages } : { messages };
}

function blocksOf(m: ChatRequestMessage, at: string): ContentBlockParam[] {
  switch (m.role) {
    case "user":
      return contentBlocks(m.content, `${at}.content`);
    case "assistant":
      return [
        ...contentBlocks(m.content, `${at}.content`),
        ...(m.tool_calls ?? []).map((call, j) => toolUse(call, `${at}.tool_calls[${j}]`)),
      ];
    case "tool":
      return [toolResult(m, at)];
    default:
      throw new AdapterInputError(`Messages with role '${m.role}' are not supported; send tool messages instead`, `${at}.role`);
  }
}

function textOf(content: Content, at: string): string {
  if (typeof content === "string" || content == null) return content ?? "";
  return content
    .map((part, j) => {
      if (part.type === "text" && typeof part.text === "string") return part.text;
      throw new AdapterInputError(`Only text parts are allowed here, got '${part.type}'`, `${at}[${j}]`);
    })
    .join("\n");
}

function contentBlocks(content: Content, at: string): Array<TextBlock | ImageBlock> {
  if (typeof content === "string" || content == null) return content ? [{ type: "text", text: content }] : [];
  const blocks: Array<TextBlock | ImageBlock> = [];
  content.forEach((part, j) => {
    if (part.type === "text" && typeof part.text === "string") {
      if (part.text) blocks.push({ type: "text", text: part.text });
    } else if (part.type === "image_url" && isRecord(part.image_url) && typeof part.image_url.url === "string") {
      blocks.push(image(part.image_url.url, `${at}[${j}].image_url.url`));
    } else {
      throw new AdapterInputError(`Content parts of type '${part.type}' are not supported by Anthropic models`, `${at}[${j}]`);
    }
  });
  return blocks;
}

/** `data:` URLs become base64 sources, http(s) URLs are fetched by Anthropic. */
function image(url: string, at: string): ImageBlock {
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  const mediaType = data?.[1]?.toLowerCase();
  if (!data || !mediaType) throw new AdapterInputError("Image URLs must be http(s) or base64 data: URLs", at);
  if (!IMAGE_TYPES.has(mediaType)) throw new AdapterInputError(`Image type '${mediaType}' is not supported (jpeg, png, gif, webp)`, at);
  return { type: "image", source: { type: "base64", media_type: mediaType, data: data[2] ?? "" } };
}

function toolUse(call: { id: string; function: { name: string; arguments: string } }, at: string): ToolUseBlock {
  let input: unknown;
  try {
    input = call.function.arguments.trim() === "" ? {} : JSON.parse(call.function.arguments);
  } catch {
    throw new AdapterInputError("Tool call arguments are not valid JSON", `${at}.function.arguments`);
  }
  if (!isRecord(input)) throw new AdapterInputError("Tool call arguments must be a JSON object", `${at}.function.arguments`);
  return { type: "tool_use", id: call.id, name: call.function.name, input };
}

function toolResult(m: ChatRequestMessage, at: string): ToolResultBlock {
  if (!m.tool_call_id) throw new AdapterInputError("Tool messages need a tool_call_id", `${at}.tool_call_id`);
  const content = typeof m.content === "string" || m.content == null ? m.content : contentBlocks(m.content, `${at}.content`);
  return { type: "tool_result", tool_use_id: m.tool_call_id, ...(content?.length ? { content } : {}) };
}
