import { z } from "@hono/zod-openapi";

const Message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
});

/**
 * An OpenAI chat completion request. Loose at the top level so vendor fields pass through to
 * OpenAI-compatible upstreams; strict only on the fields the gateway reads.
 */
export const ChatCompletionRequest = z
  .looseObject({
    model: z.string().min(1),
    messages: z.array(Message).min(1),
    stream: z.boolean().optional(),
    max_tokens: z.number().int().positive().optional(),
  })
  .openapi("ChatCompletionRequest");

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
