import type { ChatCompletionRequest, ChatRequestMessage } from "../../openai/chat-request";
import { AdapterInputError } from "../adapter-input-error";
import type { Target, UpstreamRequest } from "../types";

/** Prefix of the pseudo-URL naming the model to run: `workers-ai://run/@cf/meta/llama-3.1-8b-instruct`. */
export const WORKERS_AI_RUN = "workers-ai://run/";

/** One `AI.run(model, inputs)` call as data: `send` reads the model from the URL and the inputs from the body. */
export function runRequest(model: string, inputs: Record<string, unknown>): UpstreamRequest {
  return {
    url: `${WORKERS_AI_RUN}${model}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(inputs),
  };
}

type Part = Extract<ChatRequestMessage["content"], unknown[]>[number];

/** Text-only content as one string (parts joined by newlines); with images, OpenAI's parts as they are (vision models take them). */
function contentOf(m: ChatRequestMessage, i: number): string | Part[] {
  if (m.content == null) return "";
  if (typeof m.content === "string") return m.content;
  const parts = m.content;
  parts.forEach((p, k) => {
    if (p.type !== "text" && p.type !== "image_url")
      throw new AdapterInputError(`Workers AI models take text and image_url parts, not ${p.type}`, `messages[${i}].content[${k}]`);
  });
  if (parts.some((p) => p.type === "image_url")) return parts;
  return parts.map((p) => (typeof p.text === "string" ? p.text : "")).join("\n");
}

/**
 * OpenAI messages → Workers AI's (`{role, content}` with string content). `developer` becomes
 * `system`; a null content becomes "" (the binding rejects null); assistant tool calls pass as
 * OpenAI's; a tool result gets the called function's `name` as well, looked up by `tool_call_id`.
 */
function messagesOf(messages: ChatRequestMessage[]): Record<string, unknown>[] {
  const names = new Map<string, string>();
  return messages.map((m, i) => {
    const content = contentOf(m, i);
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", content };
      case "user":
        return { role: "user", content };
      case "assistant":
        for (const call of m.tool_calls ?? []) names.set(call.id, call.function.name);
        return { role: "assistant", content, ...(m.tool_calls?.length ? { tool_calls: m.tool_calls } : {}) };
      case "tool": {
        const name = m.tool_call_id ? names.get(m.tool_call_id) : undefined;
        return { role: "tool", content, ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}), ...(name ? { name } : {}) };
      }
      default:
        throw new AdapterInputError(
          `Workers AI models do not take role ${m.role}; send tool results with role tool`,
          `messages[${i}].role`,
        );
    }
  });
}

/**
 * OpenAI tools → Workers AI's (`{type: "function", function: {name, description, parameters}}`,
 * description and parameters required: "" and an empty object schema when absent). Workers AI has
 * no `tool_choice`: "none" sends no tools, a named function sends only that tool, "required" cannot
 * be enforced and acts as "auto".
 */
function toolsOf(body: ChatCompletionRequest): Record<string, unknown> {
  if (!body.tools?.length || body.tool_choice === "none") return {};
  const named = typeof body.tool_choice === "object" ? body.tool_choice.function.name : undefined;
  const tools = body.tools.filter((t) => named === undefined || t.function.name === named);
  if (!tools.length) throw new AdapterInputError(`tool_choice names ${named}, which is not among tools`, "tool_choice");
  return {
    tools: tools.map(({ function: f }) => ({
      type: "function",
      function: { name: f.name, description: f.description ?? "", parameters: f.parameters ?? { type: "object", properties: {} } },
    })),
  };
}

/** JSON mode: Workers AI takes the schema itself under `json_schema` (OpenAI nests it as `json_schema.schema`). */
function responseFormatOf(body: ChatCompletionRequest): Record<string, unknown> {
  const format = body.response_format;
  if (format?.type === "json_object") return { response_format: { type: "json_object" } };
  if (format?.type === "json_schema" && "json_schema" in format) {
    const spec = format.json_schema as { schema?: Record<string, unknown> };
    return { response_format: { type: "json_schema", json_schema: spec.schema ?? {} } };
  }
  return {};
}

const SAMPLING = ["temperature", "top_p", "seed", "frequency_penalty", "presence_penalty"] as const;
/** Workers AI's own request fields, passed through when a client sends them. */
const NATIVE = ["top_k", "repetition_penalty", "lora"] as const;

/**
 * An OpenAI chat request → the inputs of `AI.run(target.model, inputs)`, as a `workers-ai://run/<model>`
 * pseudo-request that this adapter's `send` performs.
 *
 * Mapped: messages, tools (see toolsOf), `response_format` (JSON mode), `max_completion_tokens` or
 * `max_tokens` → `max_tokens`, the sampling fields, `stream`. Passed through: Workers AI's `top_k`,
 * `repetition_penalty`, `lora`. Rejected with AdapterInputError (no Workers AI equivalent, and each
 * changes the answer): `n` > 1, `logprobs`, `stop`. Ignored: `logit_bias`, `top_logprobs`, `user`,
 * `parallel_tool_calls`, `stream_options` (usage always comes in the stream's last event).
 * @example chatRequest({ model: "llama", messages: [{ role: "user", content: "Hi" }] }, { model: "@cf/meta/llama-3.1-8b-instruct", baseUrl: "workers-ai:", apiKey: "" })
 */
export function chatRequest(body: ChatCompletionRequest, target: Target): UpstreamRequest {
  if (body.n != null && body.n > 1) throw new AdapterInputError("Workers AI models return a single choice; n must be 1", "n");
  if (body.logprobs) throw new AdapterInputError("Workers AI models do not return logprobs", "logprobs");
  if (body.stop != null) throw new AdapterInputError("Workers AI models do not support stop sequences", "stop");
  const inputs: Record<string, unknown> = { messages: messagesOf(body.messages) };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) inputs.max_tokens = maxTokens;
  for (const field of SAMPLING) if (body[field] != null) inputs[field] = body[field];
  for (const field of NATIVE) if (body[field] !== undefined) inputs[field] = body[field];
  Object.assign(inputs, toolsOf(body), responseFormatOf(body));
  if (body.stream) inputs.stream = true;
  return runRequest(target.model, inputs);
}
