import { z } from "@hono/zod-openapi";

const OpenAIError = z
  .object({
    error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() }),
  })
  .openapi("Error");

const error = (description: string) => ({ description, content: { "application/json": { schema: OpenAIError } } });

/** The error responses every client route can give, with the route family's error body schema. */
export const clientErrorResponses = <T extends z.ZodType>(schema: T) => {
  const e = (description: string) => ({ description, content: { "application/json": { schema } } });
  return {
    400: e("Invalid request"),
    401: e("Missing or invalid API key"),
    404: e("Unknown model"),
    413: e("Request body too large"),
    429: e("Rate limited or over budget"),
    502: e("Upstream error"),
    503: e("Upstream unavailable"),
    504: e("Upstream timeout"),
  } as const;
};

/** The client routes' error responses in OpenAI's shape (CONTRACT.md). */
export const openAIErrorResponses = clientErrorResponses(OpenAIError);

/** The error responses of the admin API (OpenAI's error shape too). */
export const adminErrorResponses = {
  400: error("Invalid request"),
  401: error("Missing or invalid admin token or key"),
  403: error("Not allowed for this caller (a key without the admin scope, or an operator-only action)"),
  404: error("No such object, or one of another tenant"),
  500: error("Internal or configuration error (e.g. ENCRYPTION_KEY missing for credentials)"),
  503: error("Saved, but the cache could not be updated: retry the call"),
} as const;
