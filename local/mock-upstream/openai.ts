/** OpenAI-compatible routes: chat completions (JSON + SSE), embeddings, models. */
import {
  completionText,
  contentSeed,
  embedVector,
  hash32,
  hashId,
  logprobsFor,
  newId,
  prng,
  shapeText,
  streamPieces,
  tokenStrings,
} from "./content";
import { type Ctx, header, isObject, sendJson } from "./http";
import { sendResult, sseData, streamFrames } from "./sse";
import { type CountedMessage, cachedTokens, countTokens, isReasoningModel, promptTokens } from "./tokens";
import { fakeFromSchema, pickTools, type ToolDef, type ToolMode, toolArguments } from "./tools";

export const MOCK_MODELS = ["mock-small", "mock-large", "mock-reason", "mock-embed"];

const ERROR_TYPES: Record<number, [type: string, code: string | null, message: string]> = {
  400: ["invalid_request_error", null, "Bad request."],
  401: ["invalid_request_error", "invalid_api_key", "Incorrect API key provided."],
  403: ["invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported."],
  404: ["invalid_request_error", null, "Not found."],
  408: ["timeout", null, "Request timed out."],
  409: ["invalid_request_error", null, "Conflict."],
  429: ["requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."],
  500: ["server_error", null, "The server had an error while processing your request. Sorry about that!"],
  502: ["server_error", null, "Bad gateway."],
  503: ["server_error", null, "The engine is currently overloaded, please try again later."],
  504: ["server_error", null, "Gateway timeout."],
};

export function openaiErrorBody(status: number, message?: string, code?: string | null, param: string | null = null) {
  const [type, defCode, defMessage] = ERROR_TYPES[status] ?? [
    status >= 500 ? "server_error" : "invalid_request_error",
    null,
    `Mock error ${status}.`,
  ];
  return { error: { message: message ?? defMessage, type, param, code: code === undefined ? defCode : code } };
}

function fail(ctx: Ctx, status: number, message: string, code: string | null = null, param: string | null = null): void {
  sendJson(ctx, status, openaiErrorBody(status, message, code, param));
}

/** Bearer auth; answers 401 and returns false when missing. */
export function openaiAuth(ctx: Ctx): boolean {
  const auth = header(ctx, "authorization");
  if (auth !== undefined && /^Bearer\s+\S/i.test(auth)) return true;
  fail(
    ctx,
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    null,
  );
  return false;
}

function modelNotFound(ctx: Ctx, model: string): void {
  fail(ctx, 404, `The model \`${model}\` does not exist or you do not have access to it.`, "model_not_found");
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
}

function messageText(m: ChatMessage): { texts: string[]; images: number } {
  const texts: string[] = [];
  let images = 0;
  const c = m.content;
  if (typeof c === "string") texts.push(c);
  else if (Array.isArray(c)) {
    for (const p of c) {
      if (!isObject(p)) continue;
      if (typeof p.text === "string") texts.push(p.text);
      else if (p.type === "image_url" || p.type === "input_image") images++;
    }
  }
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (isObject(tc) && isObject(tc.function)) {
        if (typeof tc.function.name === "string") texts.push(tc.function.name);
        if (typeof tc.function.arguments === "string") texts.push(tc.function.arguments);
      }
    }
  }
  return { texts, images };
}

interface ChoicePlan {
  text: string | null;
  finish: "stop" | "length" | "tool_calls";
  toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> | null;
  tokens: number;
}

function toolMode(choice: unknown): ToolMode {
  if (choice === "none") return { kind: "none" };
  if (choice === "required") return { kind: "required" };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === "string") {
    return { kind: "named", name: choice.function.name };
  }
  return { kind: "auto" };
}

export async function chatCompletions(ctx: Ctx): Promise<void> {
  const b = ctx.body;
  if (!isObject(b)) return fail(ctx, 400, "We could not parse the JSON body of your request.");
  const model = b.model;
  if (typeof model !== "string" || !model) return fail(ctx, 400, "you must provide a model parameter", null, "model");
  const messages = b.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return fail(ctx, 400, "[] is too short - 'messages'", "empty_array", "messages");
  }
  if (model === "mock-missing") return modelNotFound(ctx, model);

  const counted: CountedMessage[] = [];
  let userText = "";
  for (const m of messages as ChatMessage[]) {
    const { texts, images } = messageText(m);
    let t = 0;
    for (const s of texts) t += countTokens(s);
    counted.push({ textTokens: t, images });
    if (m.role === "user") userText = texts.join("\n");
  }
  const lastIsUser = (messages[messages.length - 1] as ChatMessage).role === "user";
  const tools: ToolDef[] = [];
  if (Array.isArray(b.tools)) {
    for (const t of b.tools) {
      if (isObject(t) && isObject(t.function) && typeof t.function.name === "string") {
        tools.push({ name: t.function.name, schema: t.function.parameters });
      }
    }
  }
  const prompt = promptTokens(counted, tools.length > 0 ? b.tools : undefined);

  const n = typeof b.n === "number" && b.n >= 1 ? Math.min(128, Math.floor(b.n)) : 1;
  const stops =
    typeof b.stop === "string" ? [b.stop] : Array.isArray(b.stop) ? b.stop.filter((s): s is string => typeof s === "string") : [];
  const maxRaw = b.max_completion_tokens ?? b.max_tokens;
  const maxTokens = typeof maxRaw === "number" ? maxRaw : undefined;
  const seed = typeof b.seed === "number" ? b.seed : undefined;
  const rf = isObject(b.response_format) ? b.response_format : null;
  const withLogprobs = b.logprobs === true;
  const topLogprobs = typeof b.top_logprobs === "number" ? Math.min(20, Math.max(0, b.top_logprobs)) : 0;
  const chosen = pickTools(tools, toolMode(b.tool_choice), userText, lastIsUser, b.parallel_tool_calls !== false);

  const choices: ChoicePlan[] = [];
  for (let i = 0; i < n; i++) {
    if (chosen.length > 0) {
      const toolCalls = chosen.map((t, k) => {
        const key = `${model}\u0000${userText}\u0000${seed ?? ""}\u0000${i}\u0000${k}`;
        return {
          id: hashId("call_", key),
          type: "function" as const,
          function: { name: t.name, arguments: toolArguments(t, key) },
        };
      });
      let tokens = 0;
      for (const tc of toolCalls) tokens += countTokens(tc.function.arguments);
      choices.push({ text: null, finish: "tool_calls", toolCalls, tokens });
      continue;
    }
    let full: string;
    if (rf?.type === "json_schema") {
      const schema = isObject(rf.json_schema) ? rf.json_schema.schema : undefined;
      full = JSON.stringify(fakeFromSchema(schema, prng(contentSeed(model, userText, seed, i))));
    } else if (rf?.type === "json_object") {
      full = JSON.stringify({ text: completionText(model, userText, seed, i) });
    } else {
      full = completionText(model, userText, seed, i);
    }
    const shaped = shapeText(full, stops, maxTokens);
    choices.push({
      text: shaped.text,
      finish: shaped.finish === "length" ? "length" : "stop",
      toolCalls: null,
      tokens: countTokens(shaped.text),
    });
  }

  let visible = 0;
  for (const c of choices) visible += c.tokens;
  const reasoning = isReasoningModel(model) ? visible : 0;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: visible + reasoning,
    total_tokens: prompt + visible + reasoning,
    prompt_tokens_details: { cached_tokens: cachedTokens(prompt, ctx.plan.cachedTokenFraction), audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  const id = newId("chatcmpl-");
  const created = Math.floor(Date.now() / 1000);
  const fingerprint = `fp_${hash32(`${model}\u0000${seed ?? ""}`)
    .toString(16)
    .padStart(8, "0")}`;
  const headers = { "x-request-id": newId("req_") };

  if (b.stream === true) {
    const includeUsage = isObject(b.stream_options) && b.stream_options.include_usage === true;
    const frames = streamChat(choices, {
      id,
      created,
      model,
      fingerprint,
      includeUsage,
      usage,
      withLogprobs,
      topLogprobs,
    });
    return streamFrames(ctx, frames, "text/event-stream; charset=utf-8", headers);
  }

  let maxPieces = 1;
  const outChoices = choices.map((c, index) => {
    if (c.text !== null) maxPieces = Math.max(maxPieces, streamPieces(c.text).length);
    return {
      index,
      message: {
        role: "assistant",
        content: c.text,
        refusal: null,
        annotations: [],
        ...(c.toolCalls ? { tool_calls: c.toolCalls } : {}),
      },
      logprobs: withLogprobs ? { content: c.text === null ? null : logprobsFor(c.text, topLogprobs), refusal: null } : null,
      finish_reason: c.finish,
    };
  });
  return sendResult(
    ctx,
    {
      id,
      object: "chat.completion",
      created,
      model,
      choices: outChoices,
      usage,
      service_tier: "default",
      system_fingerprint: fingerprint,
    },
    maxPieces,
    headers,
  );
}

interface StreamMeta {
  id: string;
  created: number;
  model: string;
  fingerprint: string;
  includeUsage: boolean;
  usage: unknown;
  withLogprobs: boolean;
  topLogprobs: number;
}

function streamChat(choices: readonly ChoicePlan[], meta: StreamMeta): string[] {
  // Per choice, the list of `choices[0]` entries it contributes; then interleave.
  const perChoice = choices.map((c, index) => {
    const out: Array<Record<string, unknown>> = [];
    const entry = (delta: Record<string, unknown>, logprobs: unknown = null, finish: string | null = null) =>
      out.push({ index, delta, logprobs, finish_reason: finish });
    if (c.toolCalls) {
      c.toolCalls.forEach((tc, k) => {
        entry({
          ...(k === 0 ? { role: "assistant", content: null } : {}),
          tool_calls: [{ index: k, id: tc.id, type: "function", function: { name: tc.function.name, arguments: "" } }],
        });
        for (const frag of streamPieces(tc.function.arguments)) entry({ tool_calls: [{ index: k, function: { arguments: frag } }] });
      });
    } else {
      entry({ role: "assistant", content: "", refusal: null }, meta.withLogprobs ? { content: [], refusal: null } : null);
      let offset = 0;
      for (const piece of streamPieces(c.text ?? "")) {
        let lp: unknown = null;
        if (meta.withLogprobs) {
          lp = { content: logprobsFor(piece, meta.topLogprobs, offset), refusal: null };
          offset += tokenStrings(piece).length;
        }
        entry({ content: piece }, lp);
      }
    }
    entry({}, null, c.finish);
    return out;
  });

  const frames: string[] = [];
  const usageField = meta.includeUsage ? { usage: null } : {};
  const longest = Math.max(...perChoice.map((p) => p.length));
  for (let step = 0; step < longest; step++) {
    for (const list of perChoice) {
      const c = list[step];
      if (c === undefined) continue;
      frames.push(
        sseData({
          id: meta.id,
          object: "chat.completion.chunk",
          created: meta.created,
          model: meta.model,
          service_tier: "default",
          system_fingerprint: meta.fingerprint,
          choices: [c],
          ...usageField,
        }),
      );
    }
  }
  if (meta.includeUsage) {
    frames.push(
      sseData({
        id: meta.id,
        object: "chat.completion.chunk",
        created: meta.created,
        model: meta.model,
        service_tier: "default",
        system_fingerprint: meta.fingerprint,
        choices: [],
        usage: meta.usage,
      }),
    );
  }
  frames.push("data: [DONE]\n\n");
  return frames;
}

function embeddingInputs(input: unknown): Array<{ text: string; tokens: number }> | null {
  const one = (x: unknown): { text: string; tokens: number } | null => {
    if (typeof x === "string") return { text: x, tokens: countTokens(x) };
    if (Array.isArray(x) && x.every((v) => typeof v === "number")) return { text: x.join(","), tokens: x.length };
    return null;
  };
  if (typeof input === "string") return [one(input) as { text: string; tokens: number }];
  if (!Array.isArray(input) || input.length === 0) return null;
  if (input.every((v) => typeof v === "number")) return [one(input) as { text: string; tokens: number }];
  const out: Array<{ text: string; tokens: number }> = [];
  for (const x of input) {
    const r = one(x);
    if (r === null) return null;
    out.push(r);
  }
  return out;
}

export function defaultDimensions(model: string): number {
  return model.includes("large") ? 3072 : 1536;
}

export async function embeddings(ctx: Ctx): Promise<void> {
  const b = ctx.body;
  if (!isObject(b)) return fail(ctx, 400, "We could not parse the JSON body of your request.");
  const model = b.model;
  if (typeof model !== "string" || !model) return fail(ctx, 400, "you must provide a model parameter", null, "model");
  if (model === "mock-missing") return modelNotFound(ctx, model);
  const inputs = embeddingInputs(b.input);
  if (inputs === null) return fail(ctx, 400, "'input' is a required property", null, "input");
  const dims = typeof b.dimensions === "number" && b.dimensions >= 1 ? Math.min(8192, Math.floor(b.dimensions)) : defaultDimensions(model);
  const base64 = b.encoding_format === "base64";
  let tokens = 0;
  const data = inputs.map((inp, index) => {
    tokens += inp.tokens;
    const v = embedVector(inp.text, dims);
    return {
      object: "embedding",
      index,
      embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : Array.from(v),
    };
  });
  return sendResult(ctx, { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, 1, {
    "x-request-id": newId("req_"),
  });
}

function modelObject(id: string) {
  return { id, object: "model", created: 1_700_000_000, owned_by: "edgeway-mock" };
}

export async function listModels(ctx: Ctx): Promise<void> {
  return sendResult(ctx, { object: "list", data: MOCK_MODELS.map(modelObject) }, 1);
}

export async function getModel(ctx: Ctx, id: string): Promise<void> {
  if (id === "mock-missing") return modelNotFound(ctx, id);
  return sendResult(ctx, modelObject(id), 1);
}
