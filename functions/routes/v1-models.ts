import { createRoute, z } from "@hono/zod-openapi";
import { cachedRegistry, logicalModels } from "../../shared/registry/resolve";
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

/**
 * `GET /v1/models`: the models and registry aliases the key may call: plain models, and each
 * logical model (`support-bot`) with its aliases (`support-bot@stable`).
 */
export const registerModels = (app: App) =>
  app.openapi(route, async (c) => {
    const key = c.get("apiKey");
    const { db } = c.get("services");
    const allowed = (id: string) => !key.models || key.models.includes(id);
    const plain = (await allModels(db)).map((m) => ({
      id: m.name,
      created: Math.floor(m.createdAt.getTime() / 1000),
      owned_by: m.provider,
    }));
    const logical = logicalModels(await cachedRegistry(db)).flatMap((m) =>
      [m.model, ...m.aliases.sort().map((alias) => `${m.model}@${alias}`)].map((id) => ({ id, created: 0, owned_by: "edgeway" })),
    );
    const data = [...plain, ...logical].filter((m) => allowed(m.id)).map((m) => ({ ...m, object: "model" as const }));
    return c.json({ object: "list" as const, data }, 200);
  });
