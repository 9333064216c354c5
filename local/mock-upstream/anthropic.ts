/** Anthropic Messages: POST /v1/messages (JSON + SSE event stream) and /v1/messages/count_tokens. */
import { completionText, hashId, newId, shapeText, streamPieces } from "./content";
import { type Ctx, header, isObject, sendJson } from "./http";
import { sendResult, sseEvent, streamFrames } from "./sse";
import { type CountedMessage, cachedTokens, countTokens, promptTokens } from "./tokens";
import { pickTools, type ToolDef, type ToolMode, toolArguments } from "./tools";

const ERROR_TYPES: Record<number, [type: string, message: string]> = {
  400: ["invalid_request_error", "Invalid request."],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not found."],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."],
  500: ["api_error", "Internal server error"],
  529: ["overloaded_error", "Overloaded"],
};

export function anthropicErrorBody(status: number, message?: string) {
  const [type, def] = ERROR_TYPES[status] ?? [status >= 500 ? "api_error" : "invalid_request_error", `Mock error ${status}.`];
  return { type: "error", error: { type, message: message ?? def } };
}

function fail(ctx: Ctx, status: number, message: string): void {
  sendJson(ctx, status, anthropicErrorBody(status, message));
}

/**
 * A key (x-api-key, or `Authorization: Bearer`, which @anthropic-ai/sdk 1.x sends)
 * and anthropic-version are required, as upstream.
 */
export function anthropicAuth(ctx: Ctx): boolean {
  if (!header(ctx, "x-api-key") && !/^Bearer\s+\S/i.test(header(ctx, "authorization") ?? "")) {
    fail(ctx, 401, "x-api-key header is required");
    return false;
  }
  if (!header(ctx, "anthropic-version")) {
    fail(ctx, 400, "anthropic-version: header is required");
    return false;
  }
  return true;
}

function blockTexts(content: unknown, texts: string[]): number {
  let images = 0;
  if (typeof content === "string") {
    texts.push(content);
    return 0;
  }
  if (!Array.isArray(content)) return 0;
  for (const blk of content) {
    if (!isObject(blk)) continue;
    switch (blk.type) {
      case "text":
        if (typeof blk.text === "string") texts.push(blk.text);
        break;
      case "image":
      case "document":
        images++;
        break;
      case "tool_use":
        if (typeof blk.name === "string") texts.push(blk.name);
        texts.push(JSON.stringify(blk.input ?? {}));
        break;
      case "tool_result":
        images += blockTexts(blk.content, texts);
        break;
    }
  }
  return images;
}

interface Analysed {
  counted: CountedMessage[];
  userText: string;
  lastIsUser: boolean;
  tools: ToolDef[];
  prompt: number;
}

function analyse(b: Record<string, unknown>, messages: unknown[]): Analysed {
  const counted: CountedMessage[] = [];
  const sum = (texts: string[]) => texts.reduce((n, s) => n + countTokens(s), 0);
  if (b.system !== undefined && b.system !== null && b.system !== "") {
    const texts: string[] = [];
    const images = blockTexts(b.system, texts);
    counted.push({ textTokens: sum(texts), images });
  }
  let userText = "";
  let lastIsUser = false;
  for (const m of messages) {
    if (!isObject(m)) continue;
    const texts: string[] = [];
    const images = blockTexts(m.content, texts);
    counted.push({ textTokens: sum(texts), images });
    lastIsUser = m.role === "user" && !(Array.isArray(m.content) && m.content.some((x) => isObject(x) && x.type === "tool_result"));
    if (m.role === "user") userText = texts.join("\n");
  }
  const tools: ToolDef[] = [];
  if (Array.isArray(b.tools)) {
    for (const t of b.tools) if (isObject(t) && typeof t.name === "string") tools.push({ name: t.name, schema: t.input_schema });
  }
  return {
    counted,
    userText,
    lastIsUser,
    tools,
    prompt: promptTokens(counted, tools.length > 0 ? b.tools : undefined),
  };
}

function toolMode(tc: unknown): ToolMode {
  if (!isObject(tc)) return { kind: "auto" };
  if (tc.type === "none") return { kind: "none" };
  if (tc.type === "any") return { kind: "required" };
  if (tc.type === "tool" && typeof tc.name === "string") return { kind: "named", name: tc.name };
  return { kind: "auto" };
}

function validate(ctx: Ctx): { b: Record<string, unknown>; model: string; messages: unknown[] } | null {
  const b = ctx.body;
  if (!isObject(b)) {
    fail(ctx, 400, "There was an issue with the request body: it must be a JSON object.");
    return null;
  }
  if (typeof b.model !== "string" || !b.model) {
    fail(ctx, 400, "model: Field required");
    return null;
  }
  if (!Array.isArray(b.messages)) {
    fail(ctx, 400, "messages: Field required");
    return null;
  }
  if (b.model === "mock-missing") {
    fail(ctx, 404, `model: ${b.model}`);
    return null;
  }
  return { b, model: b.model, messages: b.messages };
}

export async function countMessageTokens(ctx: Ctx): Promise<void> {
  const v = validate(ctx);
  if (v === null) return;
  return sendResult(ctx, { input_tokens: analyse(v.b, v.messages).prompt }, 1);
}

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

export async function messages(ctx: Ctx): Promise<void> {
  const v = validate(ctx);
  if (v === null) return;
  const { b, model } = v;
  if (typeof b.max_tokens !== "number") return fail(ctx, 400, "max_tokens: Field required");
  const a = analyse(b, v.messages);
  const tc = isObject(b.tool_choice) ? b.tool_choice : null;
  const chosen = pickTools(a.tools, toolMode(tc), a.userText, a.lastIsUser, tc?.disable_parallel_tool_use !== true);

  const content: Block[] = [];
  let stopReason: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" = "end_turn";
  let stopSequence: string | null = null;
  let output = 0;
  if (chosen.length > 0) {
    chosen.forEach((t, k) => {
      const key = `${model}\u0000${a.userText}\u0000\u00000\u0000${k}`;
      const args = toolArguments(t, key);
      output += countTokens(args);
      content.push({ type: "tool_use", id: hashId("toolu_", key), name: t.name, input: JSON.parse(args) });
    });
    stopReason = "tool_use";
  } else {
    const stops = Array.isArray(b.stop_sequences) ? b.stop_sequences.filter((s): s is string => typeof s === "string") : [];
    const shaped = shapeText(completionText(model, a.userText, undefined, 0), stops, b.max_tokens);
    content.push({ type: "text", text: shaped.text });
    output = countTokens(shaped.text);
    stopReason = shaped.finish === "length" ? "max_tokens" : shaped.finish === "stop_sequence" ? "stop_sequence" : "end_turn";
    stopSequence = shaped.stopSequence;
  }

  const cached = cachedTokens(a.prompt, ctx.plan.cachedTokenFraction);
  const usage = {
    input_tokens: a.prompt - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: output,
    service_tier: "standard",
  };
  const id = newId("msg_");
  const headers = { "request-id": newId("req_") };

  if (b.stream === true) {
    const frames: string[] = [
      sseEvent("message_start", {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: Math.min(1, output) },
        },
      }),
    ];
    content.forEach((blk, index) => {
      if (blk.type === "text") {
        frames.push(
          sseEvent("content_block_start", {
            type: "content_block_start",
            index,
            content_block: { type: "text", text: "" },
          }),
        );
        if (index === 0) frames.push(sseEvent("ping", { type: "ping" }));
        for (const piece of streamPieces(blk.text)) {
          frames.push(
            sseEvent("content_block_delta", {
              type: "content_block_delta",
              index,
              delta: { type: "text_delta", text: piece },
            }),
          );
        }
      } else {
        frames.push(
          sseEvent("content_block_start", {
            type: "content_block_start",
            index,
            content_block: { type: "tool_use", id: blk.id, name: blk.name, input: {} },
          }),
        );
        if (index === 0) frames.push(sseEvent("ping", { type: "ping" }));
        for (const frag of ["", ...streamPieces(JSON.stringify(blk.input))]) {
          frames.push(
            sseEvent("content_block_delta", {
              type: "content_block_delta",
              index,
              delta: { type: "input_json_delta", partial_json: frag },
            }),
          );
        }
      }
      frames.push(sseEvent("content_block_stop", { type: "content_block_stop", index }));
    });
    frames.push(
      sseEvent("message_delta", {
        type: "message_delta",
        delta: { stop_reason: stopReason, stop_sequence: stopSequence },
        usage: { output_tokens: output },
      }),
    );
    frames.push(sseEvent("message_stop", { type: "message_stop" }));
    return streamFrames(ctx, frames, "text/event-stream; charset=utf-8", headers);
  }

  const pieces = content[0]?.type === "text" ? streamPieces(content[0].text).length : 1;
  return sendResult(
    ctx,
    {
      id,
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: stopSequence,
      usage,
    },
    pieces,
    headers,
  );
}
