import type { App } from "../app";

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of every route declared with `createRoute` (client
 * and admin API), with the bearer scheme both use. Public: it describes, it does not reveal.
 */
export const registerOpenApi = (app: App) => {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "Client API: a tenant key (`ew_<env>_...`, also accepted as `x-api-key`). Admin API: the ADMIN_TOKEN, or a tenant key with the `admin` scope.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Edgeway", version: "0.1.0", description: "OpenAI-compatible GenAI gateway: client API and admin API" },
  });
};
