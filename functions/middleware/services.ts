import { createMiddleware } from "hono/factory";
import { type Services, servicesFor } from "../../shared/services";
import type { HonoEnv } from "../env";

/**
 * Puts the validated env and the store clients on the context as `services`.
 * @param overrides replace any service (the testing seam).
 * @example app.use("*", services());
 */
export const services = (overrides: Partial<Services> = {}) =>
  createMiddleware<HonoEnv>(async function services(c, next) {
    c.set("services", { ...servicesFor(c.env), ...overrides });
    await next();
  });
