import { createRoute, z } from "@hono/zod-openapi";
import { FeedbackInput, recordFeedback } from "../../shared/experiments/feedback";
import type { App } from "../app";
import { openAIErrorResponses } from "../openapi";

const Stored = z.object({ requestId: z.string(), score: z.number() }).openapi("FeedbackStored");

const route = createRoute({
  method: "post",
  path: "/v1/feedback",
  summary: "Rate an answer by its request id (score -1..1, or true/false); a second rating replaces the first",
  security: [{ bearerAuth: [] }],
  request: { body: { content: { "application/json": { schema: FeedbackInput.openapi("Feedback") } }, required: true } },
  responses: {
    201: { description: "The rating as stored", content: { "application/json": { schema: Stored } } },
    ...openAIErrorResponses,
  },
});

/** `POST /v1/feedback`: the calling key's tenant rates one of its own requests (experiment results use it). */
export const registerFeedback = (app: App) =>
  app.openapi(route, async (c) => c.json(await recordFeedback(c.get("services").db, c.get("apiKey").tenantId, c.req.valid("json")), 201));
