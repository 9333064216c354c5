import { createRoute, z } from "@hono/zod-openapi";
import { embed } from "../../shared/embeddings/embed";
import { formatUsd } from "../../shared/metering/cost";
import { estimatedUsage, isEstimated } from "../../shared/metering/estimate";
import { priceNow } from "../../shared/metering/meter";
import { EmbeddingsRequest } from "../../shared/openai/embeddings-request";
import { resolveRoute } from "../../shared/routing/resolve";
import { admitRequest } from "../admit";
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
    const { db, env, redis } = c.get("services");
    const meter = c.get("meter");
    meter.modelRequested = body.model;
    meter.promptText = () => (Array.isArray(body.input) ? body.input.join("\n") : body.input);
    const { provider, target } = await resolveRoute({ db, env, redis }, c.get("apiKey"), body.model, "embeddings");
    meter.servedBy = { provider: provider.id, upstreamModel: target.model };
    const input = Array.isArray(body.input) ? body.input : [body.input];
    const promptTokens = input.reduce<number>(
      (sum, item) => sum + (typeof item === "string" ? new TextEncoder().encode(item).length : JSON.stringify(item).length),
      0,
    );
    await admitRequest(c, {
      priced: meter.servedBy,
      promptTokens,
      completionTokens: 0,
      ...(body.user ? { user: body.user } : {}),
    });
    const result = await embed({
      provider,
      target,
      body,
      meta: { id: c.get("requestId"), created: Math.floor(Date.now() / 1000), model: target.model },
      bindings: c.env,
      signal: c.req.raw.signal,
    });
    c.header("x-edgeway-model", `${provider.id}/${target.model}`);
    const counted = result.usage.prompt_tokens;
    const usage = isEstimated(result.usage)
      ? estimatedUsage(counted, 0)
      : { prompt_tokens: counted, completion_tokens: 0, total_tokens: counted };
    c.header("x-edgeway-cost-usd", formatUsd(await priceNow(db, meter, usage, () => "")));
    return c.json(result, 200);
  });
