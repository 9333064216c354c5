import { createMiddleware } from "hono/factory";
import { authenticate } from "../../shared/auth/authenticate";
import type { HonoEnv } from "../env";
import { countingFailures } from "./auth-failures";

/** The key as presented: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const bearer = header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? header("x-api-key")?.trim();
}

/**
 * Authenticates the tenant key and puts its record on the context as `apiKey`. Failed attempts
 * are throttled per client address (see auth-failures.ts).
 * @example app.use("/v1/*", auth());
 */
export const auth = () =>
  createMiddleware<HonoEnv>(async function auth(c, next) {
    const { redis, db, env } = c.get("services");
    const { key, pending } = await countingFailures(c, () =>
      authenticate(
        { redis, db, keyPrefix: env.REDIS_KEY_PREFIX },
        presentedKey((n) => c.req.header(n)),
      ),
    );
    if (pending) c.executionCtx.waitUntil(pending);
    c.set("apiKey", key);
    await next();
  });
