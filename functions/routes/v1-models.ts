import { createRoute, z } from "@hono/zod-openapi";
import { allModels } from "../../shared/routing/model-cache";
import type { App } from "../app";
import { openAIErrorResponses } from "../openapi";

const ModelList = z
  .object({
    object: z.literal("list"),
    data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() })),
  })
  .openapi("ModelList");

const route = createRoute({
  method: "get",
  path: "/v1/models",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: "The models this key may use", content: { "application/json": { schema: ModelList } } },
    ...openAIErrorResponses,
  },
});

/** `GET /v1/models`: only the models the key may call. */
export const registerModels = (app: App) =>
  app.openapi(route, async (c) => {
    const key = c.get("apiKey");
    const models = (await allModels(c.get("services").db)).filter((m) => !key.models || key.models.includes(m.name));
    const data = models.map((m) => ({
      id: m.name,
      object: "model" as const,
      created: Math.floor(m.createdAt.getTime() / 1000),
      owned_by: m.provider,
    }));
    return c.json({ object: "list" as const, data }, 200);
  });
