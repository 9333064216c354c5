import { createRoute, z } from "@hono/zod-openapi";
import { embed } from "../../shared/embeddings/embed";
import { EmbeddingsRequest } from "../../shared/openai/embeddings-request";
import { resolveRoute } from "../../shared/routing/resolve";
import type { App } from "../app";
import { openAIErrorResponses } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/v1/embeddings",
  security: [{ bearerAuth: [] }],
  request: { body: { content: { "application/json": { schema: EmbeddingsRequest } }, required: true } },
  responses: {
    200: { description: "Embeddings list", content: { "application/json": { schema: z.looseObject({}) } } },
    ...openAIErrorResponses,
  },
});

/** `POST /v1/embeddings`: OpenAI-compatible embeddings, routed to the model's provider. */
export const registerEmbeddings = (app: App) =>
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { db, env } = c.get("services");
    const { provider, target } = await resolveRoute({ db, env }, c.get("apiKey"), body.model, "embeddings");
    const result = await embed({
      provider,
      target,
      body,
      meta: { id: c.get("requestId"), created: Math.floor(Date.now() / 1000), model: target.model },
      bindings: c.env,
      signal: c.req.raw.signal,
    });
    c.header("x-edgeway-model", `${provider.id}/${target.model}`);
    return c.json(result, 200);
  });
