import type { ChatCompletionRequest, ChatRequestMessage } from "../../openai/chat-request";
import type { Target, UpstreamRequest } from "../types";
import { inputError } from "./errors";
import { toGeminiSchema } from "./schema";
import { type GeminiContent, type GeminiPart, isRecord } from "./wire";

type Json = Record<string, unknown>;
type Content = ChatRequestMessage["content"];

/**
 * Gemini 3 rejects a replayed function call that lacks the thought signature it was issued with.
 * History it did not produce (another model, or a client that dropped `extra_content`) carries this
 * value instead, which Google documents as "skip validation" for exactly that case.
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

/** `${baseUrl}/v1beta/models/<model>:<method>`; the key travels in a header, never in the URL (logs). */
export function geminiRequest(target: Target, method: string, body: unknown): UpstreamRequest {
  return {
    url: `${target.baseUrl}/v1beta/models/${encodeURIComponent(target.model)}:${method}`,
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": target.apiKey },
    body: JSON.stringify(body),
  };
}

const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
};

function dataUrl(url: string, param: string): GeminiPart {
  const match = /^data:([^;,]+)(?:;[^;,]*)*;base64,(.*)$/s.exec(url);
  if (!match) throw inputError(param, "must be a base64 data: URL or an http(s) URL");
  return { inlineData: { mimeType: match[1] as string, data: match[2] as string } };
}

function imagePart(url: string, param: string): GeminiPart {
  if (!/^https?:\/\//i.test(url)) return dataUrl(url, param);
  if (!URL.canParse(url)) throw inputError(param, "is not a valid URL");
  const ext = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return { fileData: { mimeType: (ext && IMAGE_TYPES[ext]) || "image/*", fileUri: url } };
}

/** One OpenAI content part → Gemini part (null for empty text, which Gemini rejects). */
function part(p: Json, param: string): GeminiPart | null {
  const { type, text, image_url: image, input_audio: audio, file } = p;
  if (type === "text") return typeof text === "string" && text ? { text } : null;
  if (type === "image_url" && isRecord(image) && typeof image.url === "string") return imagePart(image.url, `${param}.image_url.url`);
  if (type === "input_audio" && isRecord(audio) && typeof audio.data === "string") {
    return { inlineData: { mimeType: `audio/${String(audio.format ?? "wav")}`, data: audio.data } };
  }
  if (type === "file" && isRecord(file) && typeof file.file_data === "string") return dataUrl(file.file_data, `${param}.file.file_data`);
  throw inputError(`${param}.type`, `${JSON.stringify(type)} is not supported by Gemini`);
}

function parts(content: Content, param: string): GeminiPart[] {
  if (typeof content === "string") return content ? [{ text: content }] : [];
  return (content ?? []).flatMap((p, j) => part(p as Json, `${param}[${j}]`) ?? []);
}

/** The text parts of a message that may hold nothing else (system, tool results). */
function textParts(content: Content, param: string): Array<{ text: string }> {
  if (typeof content === "string") return content ? [{ text: content }] : [];
  return (content ?? []).flatMap((p, j) => {
    if (p.type !== "text" || typeof p.text !== "string") throw inputError(`${param}[${j}]`, "must be a text part");
    return p.text ? [{ text: p.text }] : [];
  });
}

/** `function.arguments` (a JSON string) → Gemini `args` (an object). */
function args(raw: string, param: string): Json {
  if (!raw.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw inputError(param, "is not valid JSON");
  }
  if (!isRecord(parsed)) throw inputError(param, "must be a JSON object");
  return parsed;
}

function signatureOf(call: Json): string | undefined {
  const extra = call.extra_content;
  const google = isRecord(extra) ? extra.google : undefined;
  return isRecord(google) && typeof google.thought_signature === "string" ? google.thought_signature : undefined;
}

function assistantParts(m: ChatRequestMessage, i: number, names: Map<string, string>): GeminiPart[] {
  const out = parts(m.content, `messages[${i}].content`);
  (m.tool_calls ?? []).forEach((call, j) => {
    names.set(call.id, call.function.name);
    const signature = signatureOf(call) ?? (j === 0 ? SKIP_THOUGHT_SIGNATURE : undefined);
    out.push({
      functionCall: { name: call.function.name, args: args(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) },
      ...(signature ? { thoughtSignature: signature } : {}),
    });
  });
  return out;
}

/** A tool result: `response` must be a JSON object, so anything else is wrapped as `{content}`. */
function functionResponse(name: string, content: Content, param: string): GeminiPart {
  const text = textParts(content, param)
    .map((p) => p.text)
    .join("");
  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch {}
  return { functionResponse: { name, response: isRecord(response) ? response : { content: text } } };
}

/**
 * Messages → `systemInstruction` + `contents`. System and developer messages are hoisted wherever
 * they appear; consecutive turns of one role are merged (so parallel tool results share one turn).
 */
function toContents(messages: ChatRequestMessage[]): { system: GeminiPart[]; contents: GeminiContent[] } {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const names = new Map<string, string>(); // tool_call_id → function name, from earlier assistant turns
  const push = (role: GeminiContent["role"], ps: GeminiPart[]) => {
    const last = contents.at(-1);
    if (!ps.length) return;
    if (last?.role === role) last.parts.push(...ps);
    else contents.push({ role, parts: ps });
  };
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    if (m.role === "system" || m.role === "developer") {
      system.push(...textParts(m.content, `${param}.content`));
    } else if (m.role === "user") push("user", parts(m.content, `${param}.content`));
    else if (m.role === "assistant") push("model", assistantParts(m, i, names));
    else {
      const name = m.role === "tool" ? names.get(m.tool_call_id ?? "") : m.name;
      if (!name) throw inputError(m.role === "tool" ? `${param}.tool_call_id` : `${param}.name`, "does not match an earlier tool call");
      push("user", [functionResponse(name, m.content, `${param}.content`)]);
    }
  });
  if (!contents.length) throw inputError("messages", "must contain at least one user or assistant message");
  return { system, contents };
}

function toolChoice(choice: ChatCompletionRequest["tool_choice"]): Json | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === "object") return { mode: "ANY", allowedFunctionNames: [choice.function.name] };
  return { mode: ({ none: "NONE", auto: "AUTO", required: "ANY" } as const)[choice] };
}

function tools(body: ChatCompletionRequest): Json {
  if (!body.tools?.length) return {};
  const functionDeclarations = body.tools.map(({ function: f }, i) => {
    const parameters = f.parameters ? toGeminiSchema(f.parameters, `tools[${i}].function.parameters`) : undefined;
    // Gemini rejects an OBJECT with no properties ("should be non-empty"): a no-argument function omits them.
    const hasParams = parameters && isRecord(parameters.properties) && Object.keys(parameters.properties).length > 0;
    return { name: f.name, ...(f.description ? { description: f.description } : {}), ...(hasParams ? { parameters } : {}) };
  });
  const mode = toolChoice(body.tool_choice);
  return { tools: [{ functionDeclarations }], ...(mode ? { toolConfig: { functionCallingConfig: mode } } : {}) };
}

function generationConfig(body: ChatCompletionRequest): Json {
  const fields: Json = {
    maxOutputTokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    stopSequences: typeof body.stop === "string" ? [body.stop] : body.stop,
    candidateCount: body.n,
    seed: body.seed,
    presencePenalty: body.presence_penalty,
    frequencyPenalty: body.frequency_penalty,
    responseLogprobs: body.logprobs || undefined,
    logprobs: body.logprobs && body.top_logprobs ? body.top_logprobs : undefined,
  };
  const format = body.response_format;
  if (format?.type === "json_object" || format?.type === "json_schema") fields.responseMimeType = "application/json";
  if (format?.type === "json_schema" && format.json_schema.schema) {
    fields.responseSchema = toGeminiSchema(format.json_schema.schema, "response_format.json_schema.schema");
  }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}

/**
 * An OpenAI chat request → `models/<model>:generateContent` (or `:streamGenerateContent?alt=sse`).
 * Not mapped: `parallel_tool_calls` (Gemini has no switch), `user`, `logit_bias`. Throws
 * AdapterInputError for input Gemini cannot take (unparsable tool arguments, unknown part types…).
 * @example gemini.chatRequest({ model: "flash", messages: [{ role: "user", content: "Hi" }] }, target)
 */
export function chatRequest(body: ChatCompletionRequest, target: Target): UpstreamRequest {
  const { system, contents } = toContents(body.messages);
  const config = generationConfig(body);
  const payload = {
    contents,
    ...(system.length ? { systemInstruction: { parts: system } } : {}),
    ...tools(body),
    ...(Object.keys(config).length ? { generationConfig: config } : {}),
  };
  return geminiRequest(target, body.stream ? "streamGenerateContent?alt=sse" : "generateContent", payload);
}
