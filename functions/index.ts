import { bodyLimit } from "hono/body-limit";
import { GatewayError } from "../shared/errors/gateway-error";
import { newApp } from "./app";
import { auth } from "./middleware/auth";
import { requestId } from "./middleware/request-id";
import { services } from "./middleware/services";
import { registerHealthz } from "./routes/healthz";
import { registerReadyz } from "./routes/readyz";
import { registerChatCompletions } from "./routes/v1-chat-completions";
import { registerEmbeddings } from "./routes/v1-embeddings";
import { registerModels } from "./routes/v1-models";
import { scheduled } from "./scheduled";

const app = newApp();
app.use("*", requestId());

// Operations (liveness has no dependencies, so it comes before the services are built)
registerHealthz(app);
app.use("*", services());
app.use("*", async (c, next) => {
  const maxSize = c.get("services").env.MAX_BODY_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new GatewayError("request_too_large", `Request body exceeds the limit of ${maxSize} bytes`);
    },
  })(c, next);
});
registerReadyz(app);

// Client API (OpenAI-compatible)
app.use("/v1/*", auth());
registerChatCompletions(app);
registerEmbeddings(app);
registerModels(app);

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Record<string, unknown>>;
