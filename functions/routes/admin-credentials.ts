import { createRoute, z } from "@hono/zod-openapi";
import { listTenantCredentials, putCredential, removeCredential } from "../../shared/tenancy/credentials";
import type { App } from "../app";
import { adminContext, assertTenantAccess } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";
import { TenantParams } from "./admin-tenants";

const Credential = z
  .object({
    provider: z.string().openapi({ example: "openai" }),
    hint: z.string().openapi({ description: "The key's last four characters", example: "x9Qa" }),
    baseUrl: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("ProviderCredential");

const PutCredential = z
  .strictObject({
    apiKey: z
      .string()
      .trim()
      .min(8)
      .max(4096)
      .openapi({ description: "The tenant's own key for the provider; stored encrypted, never returned" }),
    baseUrl: z.string().max(2048).optional().openapi({ description: "Overrides the provider's base URL for this tenant (https)" }),
  })
  .openapi("PutProviderCredential");

const ProviderParams = TenantParams.extend({
  provider: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "provider", in: "path" }, example: "openai" }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const common = { tags: ["Admin"], security: [{ bearerAuth: [] }] };

const put = createRoute({
  ...common,
  method: "put",
  path: "/admin/tenants/{id}/credentials/{provider}",
  summary: "Store the tenant's own key for a provider (BYOK); its traffic to that provider uses it within 5 s",
  request: { params: ProviderParams, body: { content: { "application/json": { schema: PutCredential } }, required: true } },
  responses: { 200: json(Credential, "The stored credential (hint only)"), ...adminErrorResponses },
});

const list = createRoute({
  ...common,
  method: "get",
  path: "/admin/tenants/{id}/credentials",
  summary: "List the tenant's provider credentials (hints only)",
  request: { params: TenantParams },
  responses: { 200: json(z.object({ data: z.array(Credential) }), "The credentials, by provider"), ...adminErrorResponses },
});

const remove = createRoute({
  ...common,
  method: "delete",
  path: "/admin/tenants/{id}/credentials/{provider}",
  summary: "Delete the tenant's key for a provider; its traffic goes back to the gateway's key",
  request: { params: ProviderParams },
  responses: { 200: json(Credential, "The deleted credential (hint only)"), ...adminErrorResponses },
});

/** `PUT|DELETE /admin/tenants/{id}/credentials/{provider}`, `GET /admin/tenants/{id}/credentials`. */
export const registerAdminCredentials = (app: App) => {
  app.openapi(put, async (c) => {
    const { id, provider } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    return c.json(await putCredential(adminContext(c), id, provider, c.req.valid("json")), 200);
  });
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    return c.json({ data: await listTenantCredentials(adminContext(c), id) }, 200);
  });
  app.openapi(remove, async (c) => {
    const { id, provider } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    return c.json(await removeCredential(adminContext(c), id, provider), 200);
  });
};
