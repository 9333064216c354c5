import { createMiddleware } from "hono/factory";
import type { HonoEnv } from "../env";

const CLIENT_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Assigns the request id (a well-formed client `x-request-id` is kept, anything else replaced) and
 * echoes it on every response, errors included.
 * @example app.use("*", requestId());
 */
export const requestId = () =>
  createMiddleware<HonoEnv>(async function requestId(c, next) {
    const given = c.req.header("x-request-id");
    const id = given && CLIENT_ID.test(given) ? given : `req_${crypto.randomUUID().replaceAll("-", "")}`;
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  });
