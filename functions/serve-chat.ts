import type { Context } from "hono";
import { completeChat } from "../shared/chat/complete";
import type { StreamEncoder } from "../shared/chat/stream-encoder";
import { formatUsd } from "../shared/metering/cost";
import { promptText } from "../shared/metering/estimate";
import { priceNow } from "../shared/metering/meter";
import type { ChatCompletionRequest } from "../shared/openai/chat-request";
import type { ChatCompletion } from "../shared/openai/types";
import { resolveRoute } from "../shared/routing/resolve";
import { DEFAULT_MAX_TOKENS } from "../shared/traffic/policy";
import { maxCompletionTokens, maxPromptTokens } from "../shared/traffic/reserve";
import { admitRequest } from "./admit";
import { decideChatCache, recordForCache, serveFromCache } from "./chat-cache";
import type { HonoEnv } from "./env";

export type ServeChatOptions = {
  /** The client's stream format. @default OpenAI SSE */
  encoder?: StreamEncoder;
  /** The client's JSON format. @default the OpenAI completion as is */
  render?: (completion: ChatCompletion) => unknown;
};

const answerText = (completion: ChatCompletion) =>
  completion.choices
    .flatMap((c) => [c.message.content ?? "", ...(c.message.tool_calls ?? []).map((t) => t.function.name + t.function.arguments)])
    .join("");

/**
 * The chat path shared by every chat-shaped endpoint: resolve who answers, call it, meter it, and
 * answer JSON (with `x-edgeway-cost-usd`) or a relayed stream.
 */
export async function serveChat(c: Context<HonoEnv>, body: ChatCompletionRequest, opts: ServeChatOptions = {}): Promise<Response> {
  const { db, env, redis } = c.get("services");
  const meter = c.get("meter");
  meter.modelRequested = body.model;
  meter.streamed = body.stream === true;
  meter.promptText = () => promptText(body);
  const { provider, target } = await resolveRoute({ db, env, redis }, c.get("apiKey"), body.model, "chat");
  meter.servedBy = { provider: provider.id, upstreamModel: target.model };
  const key = c.get("apiKey");
  const cache = await decideChatCache(c, body);
  await admitRequest(c, {
    provider: provider.id,
    upstreamModel: target.model,
    promptTokens: maxPromptTokens(body),
    completionTokens: maxCompletionTokens(body, key.tenant.traffic?.defaultMaxTokens ?? DEFAULT_MAX_TOKENS),
    ...(body.user ? { user: body.user } : {}),
    ...(cache.controls.read ? { cacheKey: cache.redisKey } : {}),
  });
  c.header("x-edgeway-model", `${provider.id}/${target.model}`);
  const cached = await serveFromCache(c, cache, body, opts);
  if (cached) return cached;
  const recorder = recordForCache(c, cache);
  const result = await completeChat({
    provider,
    target,
    body,
    meta: { id: `chatcmpl-${c.get("requestId")}`, created: Math.floor(Date.now() / 1000), model: target.model },
    bindings: c.env,
    signal: c.req.raw.signal,
    ...(opts.encoder ? { encoder: opts.encoder } : {}),
    ...(recorder.onChunk ? { onChunk: recorder.onChunk } : {}),
  });
  if (result.kind === "json") {
    recorder.remember(result.completion);
    const cost = await priceNow(db, meter, result.completion.usage, answerText(result.completion));
    c.header("x-edgeway-cost-usd", formatUsd(cost));
    return c.json(opts.render ? opts.render(result.completion) : result.completion, 200);
  }
  meter.outcome = result.outcome;
  c.header("content-type", "text/event-stream; charset=utf-8");
  c.header("cache-control", "no-cache");
  return c.newResponse(result.stream, 200);
}
