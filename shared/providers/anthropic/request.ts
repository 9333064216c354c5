import type { ChatCompletionRequest } from "../../openai/chat-request";
import { AdapterInputError } from "../adapter-input-error";
import type { Target, UpstreamRequest } from "../types";
import { toAnthropicMessages } from "./messages";
import { JSON_TOOL_NAME, type MessagesBody, type ToolChoiceParam, type ToolParam } from "./wire";

/** `max_tokens` sent when the client sets neither `max_completion_tokens` nor `max_tokens`: Anthropic requires one. */
export const DEFAULT_MAX_TOKENS = 4096;

/** The `anthropic-version` header unless the deployment sets `options.anthropicVersion`. */
export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/**
 * An OpenAI chat request → `POST {baseUrl}/v1/messages`.
 *
 * Not supported, rejected with AdapterInputError: `n` > 1, `logprobs: true`, message role `function`,
 * content parts other than text and image. Ignored (Anthropic has no equivalent, and they only shape
 * sampling): `seed`, `presence_penalty`, `frequency_penalty`, `logit_bias`, `top_logprobs`,
 * `stream_options` (Anthropic always streams usage). Passed through when present: Anthropic's own
 * `top_k` and `thinking`.
 * @example chatRequest({ model: "claude", messages: [{ role: "user", content: "Hi" }] }, target)
 */
export function chatRequest(body: ChatCompletionRequest, target: Target): UpstreamRequest {
  if (body.n != null && body.n > 1) throw new AdapterInputError("Anthropic models return a single choice; n must be 1", "n");
  if (body.logprobs) throw new AdapterInputError("Anthropic models do not return logprobs", "logprobs");
  const { system, messages } = toAnthropicMessages(body.messages);
  const out: MessagesBody = {
    model: target.model,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
    ...(system ? { system } : {}),
    ...samplingOf(body),
    ...toolsOf(body),
  };
  return {
    url: `${target.baseUrl}/v1/messages`,
    method: "POST",
    headers: {
      "x-api-key": target.apiKey,
      "anthropic-version": target.options?.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION,
      "content-type": "application/json",
    },
    body: JSON.stringify(out),
  };
}

function samplingOf(body: ChatCompletionRequest): Partial<MessagesBody> {
  const out: Partial<MessagesBody> = {};
  // OpenAI accepts 0..2, Anthropic 0..1: values above 1 are clamped, not rescaled, so 0.7 means the same to both.
  if (body.temperature != null) out.temperature = Math.min(body.temperature, 1);
  if (body.top_p != null) out.top_p = body.top_p;
  if (typeof body.top_k === "number") out.top_k = body.top_k;
  if (body.stop != null) out.stop_sequences = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.stream) out.stream = true;
  if (body.user) out.metadata = { user_id: body.user };
  if (typeof body.thinking === "object" && body.thinking !== null) out.thinking = body.thinking as Record<string, unknown>;
  return out;
}

/**
 * Tools and tool_choice. `parallel_tool_calls: false` becomes `disable_parallel_tool_use`. A
 * tool_choice without tools is dropped, as Anthropic rejects it.
 *
 * JSON mode (`response_format` json_object/json_schema) is served by a forced tool: the model must call
 * JSON_TOOL_NAME, whose input schema is the requested schema, so the answer is a JSON object Anthropic
 * has already parsed (a system prompt asking for JSON would not guarantee that). The response side
 * turns that call back into `content`. When the client also offers tools (and tool_choice is not
 * `none`), the model must call one of them or the JSON tool (`any`).
 */
function toolsOf(body: ChatCompletionRequest): Pick<MessagesBody, "tools" | "tool_choice"> {
  const tools: ToolParam[] = (body.tools ?? []).map(({ function: f }, i) => {
    if (f.name === JSON_TOOL_NAME)
      throw new AdapterInputError(`The tool name '${JSON_TOOL_NAME}' is reserved by the gateway`, `tools[${i}].function.name`);
    return {
      name: f.name,
      ...(f.description ? { description: f.description } : {}),
      input_schema: f.parameters ?? { type: "object", properties: {} },
    };
  });
  const parallel = body.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  const choice = body.tool_choice;
  const json = jsonTool(body.response_format);
  if (json) {
    const only: ToolChoiceParam = { type: "tool", name: JSON_TOOL_NAME };
    const toolChoice: ToolChoiceParam =
      !tools.length || choice === "none"
        ? only
        : typeof choice === "object"
          ? { type: "tool", name: choice.function.name, ...parallel }
          : { type: "any", ...parallel };
    return { tools: [...tools, json], tool_choice: toolChoice };
  }
  if (!tools.length) return {};
  if (choice === undefined) return body.parallel_tool_calls === false ? { tools, tool_choice: { type: "auto", ...parallel } } : { tools };
  if (choice === "none") return { tools, tool_choice: { type: "none" } };
  if (choice === "auto") return { tools, tool_choice: { type: "auto", ...parallel } };
  if (choice === "required") return { tools, tool_choice: { type: "any", ...parallel } };
  return { tools, tool_choice: { type: "tool", name: choice.function.name, ...parallel } };
}

function jsonTool(format: ChatCompletionRequest["response_format"]): ToolParam | undefined {
  const description = "Give your complete answer by calling this tool: its input is the JSON response.";
  if (format?.type === "json_object") return { name: JSON_TOOL_NAME, description, input_schema: { type: "object" } };
  if (format?.type !== "json_schema") return undefined;
  const schema = format.json_schema.schema ?? { type: "object" };
  if (schema.type !== "object") {
    throw new AdapterInputError("Anthropic models need a JSON schema whose root is an object", "response_format.json_schema.schema");
  }
  const about = typeof format.json_schema.description === "string" ? ` ${format.json_schema.description}` : "";
  return { name: JSON_TOOL_NAME, description: `${description} Format: ${format.json_schema.name}.${about}`, input_schema: schema };
}
