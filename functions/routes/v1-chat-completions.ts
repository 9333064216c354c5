import { createRoute, z } from "@hono/zod-openapi";
import { completeChat } from "../../shared/chat/complete";
import { ChatCompletionRequest } from "../../shared/openai/chat-request";
import { resolveRoute } from "../../shared/routing/resolve";
import type { App } from "../app";
import { openAIErrorResponses } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  security: [{ bearerAuth: [] }],
  request: { body: { content: { "application/json": { schema: ChatCompletionRequest } }, required: true } },
  responses: {
    200: {
      description: "A chat completion (JSON), or chunks as server-sent events when `stream: true`",
      content: { "application/json": { schema: z.looseObject({}) }, "text/event-stream": { schema: z.string() } },
    },
    ...openAIErrorResponses,
  },
});

/** `POST /v1/chat/completions`: OpenAI-compatible chat, JSON or SSE, routed to the model's provider. */
export const registerChatCompletions = (app: App) =>
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { db, env } = c.get("services");
    const { provider, target } = await resolveRoute({ db, env }, c.get("apiKey"), body.model, "chat");
    const result = await completeChat({
      provider,
      target,
      body,
      meta: { id: `chatcmpl-${c.get("requestId")}`, created: Math.floor(Date.now() / 1000), model: target.model },
      bindings: c.env,
      signal: c.req.raw.signal,
    });
    c.header("x-edgeway-model", `${provider.id}/${target.model}`);
    if (result.kind === "json") return c.json(result.completion, 200);
    c.executionCtx.waitUntil(result.outcome);
    c.header("content-type", "text/event-stream; charset=utf-8");
    c.header("cache-control", "no-cache");
    return c.newResponse(result.stream, 200) as never;
  });
