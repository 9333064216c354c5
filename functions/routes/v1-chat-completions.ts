import { createRoute, z } from "@hono/zod-openapi";
import { ChatCompletionRequest } from "../../shared/openai/chat-request";
import type { App } from "../app";
import { openAIErrorResponses } from "../openapi";
import { serveChat } from "../serve-chat";

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
export const registerChatCompletions = (app: App) => app.openapi(route, (c) => serveChat(c, c.req.valid("json")) as never);
