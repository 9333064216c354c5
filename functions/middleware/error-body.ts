import { createMiddleware } from "hono/factory";
import type { GatewayError } from "../../shared/errors/gateway-error";
import type { HonoEnv } from "../env";

/**
 * Renders this route family's errors in another API's shape (status, headers and codes stay the
 * gateway's). Register it before `auth()` so authentication errors take the shape too.
 * @example app.use("/v1/messages", errorBody(toAnthropicError));
 */
export const errorBody = (render: (err: GatewayError) => unknown) =>
  createMiddleware<HonoEnv>(async function errorBody(c, next) {
    c.set("errorBody", render);
    await next();
  });
