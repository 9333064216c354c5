import { z } from "@hono/zod-openapi";

/** An OpenAI embeddings request (loose: vendor fields pass through to compatible upstreams). */
export const EmbeddingsRequest = z
  .looseObject({
    model: z.string().min(1),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1),
    ]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .openapi("EmbeddingsRequest");

export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequest>;
