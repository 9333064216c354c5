import { createRoute, z } from "@hono/zod-openapi";
import { MessagesRequest, toChatRequest } from "../../shared/anthropic-inbound/request";
import { toAnthropicMessage } from "../../shared/anthropic-inbound/response";
import { anthropicStreamEncoder } from "../../shared/anthropic-inbound/stream";
import type { App } from "../app";
import { clientErrorResponses } from "../openapi";
import { serveChat } from "../serve-chat";

const AnthropicError = z
  .object({ type: z.literal("error"), error: z.object({ type: z.string(), message: z.string() }) })
  .openapi("AnthropicError");

const route = createRoute({
  method: "post",
  path: "/v1/messages",
  security: [{ bearerAuth: [] }],
  request: { body: { content: { "application/json": { schema: MessagesRequest } }, required: true } },
  responses: {
    200: {
      description: "An Anthropic message (JSON), or Anthropic's stream events when `stream: true`",
      content: { "application/json": { schema: z.looseObject({}) }, "text/event-stream": { schema: z.string() } },
    },
    ...clientErrorResponses(AnthropicError),
  },
});

/** `POST /v1/messages`: Anthropic's Messages API over any chat model, translated to and from the OpenAI format. */
export const registerMessages = (app: App) =>
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const encoder = anthropicStreamEncoder(body.model, c.get("requestId"));
    return serveChat(c, toChatRequest(body), { encoder, render: (completion) => toAnthropicMessage(completion, body.model) }) as never;
  });
