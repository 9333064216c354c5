/**
 * Gemini (Generative Language API): models/{model}:generateContent,
 * :streamGenerateContent (?alt=sse → SSE, otherwise a streamed JSON array),
 * :countTokens, :embedContent, :batchEmbedContents, and GET models.
 */
import { completionText, contentSeed, embedVector, newId, prng, shapeText, streamPieces } from "./content";
import { type Ctx, header, isObject, queryParam, sendJson } from "./http";
import { sendResult, sseData, streamFrames } from "./sse";
import { type CountedMessage, cachedTokens, countTokens, isReasoningModel, promptTokens } from "./tokens";
import { fakeFromSchema, pickTools, type ToolDef, type ToolMode, toolArguments } from "./tools";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const DEFAULT_MESSAGES: Record<number, string> = {
  429: "Resource has been exhausted (e.g. check quota).",
  500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
};

export function geminiErrorBody(status: number, message?: string) {
  return {
    error: {
      code: status,
      message: message ?? DEFAULT_MESSAGES[status] ?? `Mock error ${status}.`,
      status: STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
    },
  };
}

function fail(ctx: Ctx, status: number, message: string): void {
  sendJson(ctx, status, geminiErrorBody(status, message));
}

/** Key via x-goog-api-key or ?key=. */
export function geminiAuth(ctx: Ctx): boolean {
  if (header(ctx, "x-goog-api-key") || queryParam(ctx, "key")) return true;
  fail(
    ctx,
    403,
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
  return false;
}

function partsOf(content: unknown, texts: string[]): number {
  let images = 0;
  const parts = isObject(content) ? content.parts : typeof content === "string" ? [{ text: content }] : null;
  if (!Array.isArray(parts)) return 0;
  for (const p of parts) {
    if (!isObject(p)) continue;
    if (typeof p.text === "string") texts.push(p.text);
    else if (p.inlineData !== undefined || p.fileData !== undefined) images++;
    else if (isObject(p.functionCall)) {
      if (typeof p.functionCall.name === "string") texts.push(p.functionCall.name);
      texts.push(JSON.stringify(p.functionCall.args ?? {}));
    } else if (isObject(p.functionResponse)) texts.push(JSON.stringify(p.functionResponse.response ?? {}));
  }
  return images;
}

interface Analysed {
  prompt: number;
  userText: string;
  lastIsUser: boolean;
  tools: ToolDef[];
}

function analyse(b: Record<string, unknown>): Analysed {
  const counted: CountedMessage[] = [];
  const sum = (texts: string[]) => texts.reduce((n, s) => n + countTokens(s), 0);
  if (b.systemInstruction !== undefined && b.systemInstruction !== null) {
    const texts: string[] = [];
    const images = partsOf(b.systemInstruction, texts);
    counted.push({ textTokens: sum(texts), images });
  }
  let userText = "";
  let lastIsUser = false;
  for (const c of Array.isArray(b.contents) ? b.contents : []) {
    const texts: string[] = [];
    const images = partsOf(c, texts);
    counted.push({ textTokens: sum(texts), images });
    const isUser = !isObject(c) || c.role === undefined || c.role === "user";
    const hasResponse = isObject(c) && Array.isArray(c.parts) && c.parts.some((p) => isObject(p) && p.functionResponse !== undefined);
    lastIsUser = isUser && !hasResponse;
    if (isUser && !hasResponse) userText = texts.join("\n");
  }
  const tools: ToolDef[] = [];
  if (Array.isArray(b.tools)) {
    for (const t of b.tools) {
      if (!isObject(t) || !Array.isArray(t.functionDeclarations)) continue;
      for (const f of t.functionDeclarations) {
        if (isObject(f) && typeof f.name === "string") tools.push({ name: f.name, schema: f.parameters ?? f.parametersJsonSchema });
      }
    }
  }
  return { prompt: promptTokens(counted, tools.length > 0 ? b.tools : undefined), userText, lastIsUser, tools };
}

function toolMode(b: Record<string, unknown>, tools: ToolDef[]): { mode: ToolMode; tools: ToolDef[] } {
  const cfg = isObject(b.toolConfig) && isObject(b.toolConfig.functionCallingConfig) ? b.toolConfig.functionCallingConfig : null;
  if (cfg === null) return { mode: { kind: "auto" }, tools };
  if (cfg.mode === "NONE") return { mode: { kind: "none" }, tools };
  const allowed = Array.isArray(cfg.allowedFunctionNames) ? cfg.allowedFunctionNames : null;
  const subset = allowed ? tools.filter((t) => allowed.includes(t.name)) : tools;
  if (cfg.mode === "ANY") return { mode: { kind: "required" }, tools: subset };
  return { mode: { kind: "auto" }, tools };
}

function modelFromPath(ctx: Ctx, model: string): boolean {
  if (model === "mock-missing") {
    fail(
      ctx,
      404,
      `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    );
    return false;
  }
  return true;
}

type Part = { text: string } | { functionCall: { name: string; args: unknown } };

export async function generateContent(ctx: Ctx, model: string, stream: boolean): Promise<void> {
  const b = ctx.body;
  if (!isObject(b)) return fail(ctx, 400, "Invalid JSON payload received.");
  if (!modelFromPath(ctx, model)) return;
  if (!Array.isArray(b.contents) || b.contents.length === 0)
    return fail(ctx, 400, "* GenerateContentRequest.contents: contents is not specified\n");
  const a = analyse(b);
  const gc = isObject(b.generationConfig) ? b.generationConfig : {};
  const n = typeof gc.candidateCount === "number" && gc.candidateCount >= 1 ? Math.min(8, Math.floor(gc.candidateCount)) : 1;
  const stops = Array.isArray(gc.stopSequences) ? gc.stopSequences.filter((s): s is string => typeof s === "string") : [];
  const maxTokens = typeof gc.maxOutputTokens === "number" ? gc.maxOutputTokens : undefined;
  const seed = typeof gc.seed === "number" ? gc.seed : undefined;
  const schema = gc.responseJsonSchema ?? gc.responseSchema;
  const jsonMode = gc.responseMimeType === "application/json";
  const tm = toolMode(b, a.tools);
  const chosen = pickTools(tm.tools, tm.mode, a.userText, a.lastIsUser, true);

  const cands: Array<{ parts: Part[]; pieces: string[]; finish: string; tokens: number }> = [];
  for (let i = 0; i < n; i++) {
    if (chosen.length > 0) {
      let tokens = 0;
      const parts: Part[] = chosen.map((t, k) => {
        const args = toolArguments(t, `${model}\u0000${a.userText}\u0000${seed ?? ""}\u0000${i}\u0000${k}`);
        tokens += countTokens(args);
        return { functionCall: { name: t.name, args: JSON.parse(args) } };
      });
      cands.push({ parts, pieces: [], finish: "STOP", tokens });
      continue;
    }
    let full: string;
    if (jsonMode && schema !== undefined) full = JSON.stringify(fakeFromSchema(schema, prng(contentSeed(model, a.userText, seed, i))));
    else if (jsonMode) full = JSON.stringify({ text: completionText(model, a.userText, seed, i) });
    else full = completionText(model, a.userText, seed, i);
    const shaped = shapeText(full, stops, maxTokens);
    cands.push({
      parts: [{ text: shaped.text }],
      pieces: streamPieces(shaped.text),
      finish: shaped.finish === "length" ? "MAX_TOKENS" : "STOP",
      tokens: countTokens(shaped.text),
    });
  }

  let visible = 0;
  for (const c of cands) visible += c.tokens;
  const thoughts = isReasoningModel(model) ? visible : 0;
  const cached = cachedTokens(a.prompt, ctx.plan.cachedTokenFraction);
  const usageMetadata: Record<string, number> = {
    promptTokenCount: a.prompt,
    candidatesTokenCount: visible,
    totalTokenCount: a.prompt + visible + thoughts,
  };
  if (cached > 0) usageMetadata.cachedContentTokenCount = cached;
  if (thoughts > 0) usageMetadata.thoughtsTokenCount = thoughts;
  const responseId = newId("");

  if (!stream) {
    return sendResult(
      ctx,
      {
        candidates: cands.map((c, index) => ({
          content: { parts: c.parts, role: "model" },
          finishReason: c.finish,
          index,
        })),
        usageMetadata,
        modelVersion: model,
        responseId,
      },
      Math.max(1, ...cands.map((c) => c.pieces.length)),
    );
  }

  // One chunk per step; each carries the candidates that still have a piece (function calls come whole).
  const steps = Math.max(1, ...cands.map((c) => c.pieces.length));
  const chunks: unknown[] = [];
  for (let s = 0; s < steps; s++) {
    const last = s === steps - 1;
    const candidates: unknown[] = [];
    cands.forEach((c, index) => {
      const lastOfThis = c.pieces.length === 0 ? s === 0 : s === c.pieces.length - 1;
      const parts: Part[] | null =
        c.pieces.length === 0 ? (s === 0 ? c.parts : null) : s < c.pieces.length ? [{ text: c.pieces[s] as string }] : null;
      if (parts === null) return;
      candidates.push({ content: { parts, role: "model" }, ...(lastOfThis ? { finishReason: c.finish } : {}), index });
    });
    chunks.push({ candidates, ...(last ? { usageMetadata } : {}), modelVersion: model, responseId });
  }
  if (queryParam(ctx, "alt") === "sse") return streamFrames(ctx, chunks.map(sseData), "text/event-stream");
  const frames = chunks.map((c, i) => `${i === 0 ? "[" : ",\r\n"}${JSON.stringify(c)}`);
  frames[frames.length - 1] += "]";
  return streamFrames(ctx, frames, "application/json; charset=UTF-8");
}

export async function countGeminiTokens(ctx: Ctx, model: string): Promise<void> {
  const b = ctx.body;
  if (!isObject(b)) return fail(ctx, 400, "Invalid JSON payload received.");
  if (!modelFromPath(ctx, model)) return;
  const req = isObject(b.generateContentRequest) ? b.generateContentRequest : b;
  return sendResult(ctx, { totalTokens: analyse(req).prompt }, 1);
}

function embedOne(model: string, req: unknown): { values: number[] } | null {
  if (!isObject(req)) return null;
  const texts: string[] = [];
  partsOf(req.content, texts);
  if (texts.length === 0) return null;
  const dims =
    typeof req.outputDimensionality === "number" && req.outputDimensionality >= 1
      ? Math.min(8192, Math.floor(req.outputDimensionality))
      : model.includes("gemini-embedding")
        ? 3072
        : 768;
  return { values: Array.from(embedVector(texts.join("\n"), dims)) };
}

export async function embedContent(ctx: Ctx, model: string, batch: boolean): Promise<void> {
  const b = ctx.body;
  if (!isObject(b)) return fail(ctx, 400, "Invalid JSON payload received.");
  if (!modelFromPath(ctx, model)) return;
  if (!batch) {
    const e = embedOne(model, b);
    if (e === null) return fail(ctx, 400, "* EmbedContentRequest.content: contents is not specified\n");
    return sendResult(ctx, { embedding: e }, 1);
  }
  if (!Array.isArray(b.requests) || b.requests.length === 0)
    return fail(ctx, 400, "* BatchEmbedContentsRequest.requests: requests is not specified\n");
  const embeddings: Array<{ values: number[] }> = [];
  for (const r of b.requests) {
    const e = embedOne(model, r);
    if (e === null) return fail(ctx, 400, "* EmbedContentRequest.content: contents is not specified\n");
    embeddings.push(e);
  }
  return sendResult(ctx, { embeddings }, 1);
}

function modelInfo(name: string) {
  return {
    name: `models/${name}`,
    version: "001",
    displayName: name,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents"],
  };
}

export async function listGeminiModels(ctx: Ctx): Promise<void> {
  return sendResult(ctx, { models: ["mock-small", "mock-large", "mock-reason", "mock-embed"].map(modelInfo) }, 1);
}

export async function getGeminiModel(ctx: Ctx, model: string): Promise<void> {
  if (!modelFromPath(ctx, model)) return;
  return sendResult(ctx, modelInfo(model), 1);
}
