import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { ConfigError } from "../shared/config/env";
import { type ErrorCode, GatewayError, toOpenAIError } from "../shared/errors/gateway-error";
import { AdapterInputError } from "../shared/providers/adapter-input-error";
import { MalformedUpstreamResponse } from "../shared/providers/malformed";
import type { HonoEnv } from "./env";

export type App = OpenAPIHono<HonoEnv>;

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: "invalid_request",
  401: "invalid_api_key",
  403: "permission_denied",
  404: "not_found",
  405: "method_not_allowed",
  413: "request_too_large",
  415: "unsupported_media_type",
  429: "rate_limit_exceeded",
};

function fromZod(err: ZodError): GatewayError {
  const issue = err.issues[0];
  const param = issue?.path.length
    ? issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${String(p)}` : String(p))).join("")
    : undefined;
  return new GatewayError("invalid_request", issue ? `${param ? `${param}: ` : ""}${issue.message}` : "Invalid request", { param });
}

/** Maps anything thrown to a GatewayError. Unknown errors get a fixed message: internals never leak. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof ZodError) return fromZod(err);
  if (err instanceof AdapterInputError) return new GatewayError("invalid_request", err.message, { param: err.param, cause: err });
  if (err instanceof MalformedUpstreamResponse) return new GatewayError("upstream_error", err.message, { cause: err });
  if (err instanceof ConfigError) return new GatewayError("config_error", "The gateway is misconfigured", { cause: err });
  if (err instanceof HTTPException) {
    const code = STATUS_CODES[err.status] ?? "internal_error";
    return new GatewayError(code, code === "internal_error" ? "Internal error" : err.message, { cause: err });
  }
  return new GatewayError("internal_error", "Internal error", { cause: err });
}

/**
 * The one error renderer: `{"error": {message, type, param, code}}` (or the endpoint's own shape,
 * see `errorBody`), `x-request-id`, `retry-after`.
 */
export function renderError(err: unknown, c: Context<HonoEnv>): Response {
  const gw = toGatewayError(err);
  if (gw.status >= 500) {
    console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), code: gw.code, error: String(gw.cause ?? gw.message) }));
  }
  const requestId = c.get("requestId");
  if (requestId) c.header("x-request-id", requestId);
  for (const [name, value] of Object.entries(gw.details.headers ?? {})) c.header(name, value);
  if (gw.details.retryAfterMs !== undefined) c.header("retry-after", String(Math.max(1, Math.ceil(gw.details.retryAfterMs / 1000))));
  const body = c.get("errorBody") ?? toOpenAIError;
  return c.json(body(gw), gw.status as ContentfulStatusCode);
}

/**
 * A Hono app with the gateway's error handling; routes validate with zod and throw GatewayError.
 * @example const app = newApp(); registerHealthz(app);
 */
export function newApp(): App {
  const app = new OpenAPIHono<HonoEnv>({
    defaultHook: (result) => {
      if (!result.success) throw fromZod(result.error);
    },
  });
  app.onError(renderError);
  app.notFound((c) => renderError(new GatewayError("not_found", `No route for ${c.req.method} ${c.req.path}`), c));
  return app;
}
