import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { toAnthropicError } from "../shared/anthropic-inbound/errors";
import { GatewayError } from "../shared/errors/gateway-error";
import { withRequestScope } from "../shared/runtime/defer";
import { newApp } from "./app";
import { adminAuth } from "./middleware/admin-auth";
import { auth } from "./middleware/auth";
import { errorBody } from "./middleware/error-body";
import { meter } from "./middleware/meter";
import { requestId } from "./middleware/request-id";
import { services } from "./middleware/services";
import { registerAdminCache } from "./routes/admin-cache";
import { registerAdminCredentials } from "./routes/admin-credentials";
import { registerAdminExperiments } from "./routes/admin-experiments";
import { registerAdminKeys } from "./routes/admin-keys";
import { registerAdminRegistry } from "./routes/admin-registry";
import { registerAdminTenants } from "./routes/admin-tenants";
import { registerAdminTraffic } from "./routes/admin-traffic";
import { registerAdminUsage } from "./routes/admin-usage";
import { registerHealthz } from "./routes/healthz";
import { registerOpenApi } from "./routes/openapi";
import { registerReadyz } from "./routes/readyz";
import { registerChatCompletions } from "./routes/v1-chat-completions";
import { registerEmbeddings } from "./routes/v1-embeddings";
import { registerFeedback } from "./routes/v1-feedback";
import { registerMessages } from "./routes/v1-messages";
import { registerModels } from "./routes/v1-models";
import { registerUsage } from "./routes/v1-usage";
import { scheduled } from "./scheduled";

const app = newApp();
app.use("*", requestId());
// Anthropic-compatible errors for /v1/messages, set first so body-limit and auth errors take the shape too
app.use("/v1/messages", errorBody(toAnthropicError));

// Operations (liveness has no dependencies, so it comes before the services are built)
registerHealthz(app);
app.use("*", services());
// Isolate-scoped on purpose: the body-limit middleware for the configured limit, built once, not per request.
let limiter: { maxSize: number; handler: MiddlewareHandler } | undefined;
app.use("*", (c, next) => {
  const maxSize = c.get("services").env.MAX_BODY_BYTES;
  if (limiter?.maxSize !== maxSize) {
    const handler = bodyLimit({
      maxSize,
      onError: () => {
        throw new GatewayError("request_too_large", `Request body exceeds the limit of ${maxSize} bytes`);
      },
    });
    limiter = { maxSize, handler };
  }
  return limiter.handler(c, next);
});
registerReadyz(app);
registerOpenApi(app);

// Client API (OpenAI-compatible, plus Anthropic's Messages API)
app.use("/v1/*", auth());
app.use("/v1/chat/completions", meter("chat"));
app.use("/v1/messages", meter("messages"));
app.use("/v1/embeddings", meter("embeddings"));
registerChatCompletions(app);
registerMessages(app);
registerEmbeddings(app);
registerModels(app);
registerUsage(app);
registerFeedback(app);

// Admin API (ADMIN_TOKEN, or a tenant key with the admin scope on its own tenant); /v1 auth() does not apply here
app.use("/admin/*", adminAuth());
registerAdminTenants(app);
registerAdminKeys(app);
registerAdminCredentials(app);
registerAdminUsage(app);
registerAdminTraffic(app);
registerAdminCache(app);
registerAdminRegistry(app);
registerAdminExperiments(app);

export default {
  fetch: (request, env, ctx) =>
    withRequestScope(
      (work) => ctx.waitUntil(work),
      () => app.fetch(request, env, ctx),
    ),
  scheduled: (controller, env, ctx) =>
    withRequestScope(
      (work) => ctx.waitUntil(work),
      () => scheduled(controller, env, ctx),
    ),
} satisfies ExportedHandler<Record<string, unknown>>;
