import { createRoute, z } from "@hono/zod-openapi";
import { GatewayError } from "../../shared/errors/gateway-error";
import { ChatCompletionRequest } from "../../shared/openai/chat-request";
import { upstreamSpec } from "../../shared/providers/upstreams";
import { resolveModel } from "../../shared/routing/model-cache";
import type { App } from "../app";

const route = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  security: [{ bearerAuth: [] }],
  request: { body: { content: { "application/json": { schema: ChatCompletionRequest } }, required: true } },
  responses: {
    200: { description: "Completion (JSON) or chunks (SSE)", content: { "application/json": { schema: z.looseObject({}) } } },
  },
});

/** `POST /v1/chat/completions`: resolves the model and relays the call to its provider. */
export const registerChatCompletions = (app: App) =>
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { db, env } = c.get("services");
    const key = c.get("apiKey");
    if (key.models && !key.models.includes(body.model)) throw modelNotFound(body.model);
    const model = await resolveModel(db, body.model);
    if (!model?.capabilities.includes("chat")) throw modelNotFound(body.model);
    const spec = upstreamSpec(model.provider);
    const baseUrl = spec?.baseUrl(env);
    const apiKey = spec?.apiKey(env);
    if (!baseUrl || !apiKey) throw new GatewayError("upstream_unavailable", `Provider ${model.provider} is not configured on this gateway`);

    const upstream = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ ...body, model: model.upstreamModel }),
      signal: c.req.raw.signal,
    }).catch((cause) => {
      throw new GatewayError("upstream_error", `Provider ${model.provider} could not be reached`, { cause });
    });
    if (!upstream.ok) {
      await upstream.body?.cancel();
      throw new GatewayError("upstream_error", `Provider ${model.provider} answered HTTP ${upstream.status}`);
    }
    c.header("x-edgeway-model", `${model.provider}/${model.upstreamModel}`);
    c.header("content-type", upstream.headers.get("content-type") ?? "application/json");
    return c.newResponse(upstream.body, 200) as never;
  });

const modelNotFound = (name: string) =>
  new GatewayError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, { param: "model" });
