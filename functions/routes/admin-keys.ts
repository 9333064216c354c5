import { createRoute, z } from "@hono/zod-openapi";
import { KEY_SCOPES } from "../../shared/config/tenant";
import { createKey, listTenantKeys, revokeKey, rotateKey } from "../../shared/tenancy/keys";
import type { App } from "../app";
import { adminContext, assertTenantAccess } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";
import { LimitsSchema, TenantParams } from "./admin-tenants";

const MAX_GRACE_SECONDS = 30 * 24 * 3600;

const Key = z
  .object({
    id: z.string().openapi({ example: "key_0p2k7d9s3m1c8v4x6b5n" }),
    tenantId: z.string(),
    name: z.string().nullable(),
    prefix: z.string().openapi({ description: "The key's first characters, safe to show", example: "ew_live_Q3xa" }),
    scopes: z.array(z.string()),
    models: z.array(z.string()).nullable().openapi({ description: "Models and aliases the key may call; null = all" }),
    limits: LimitsSchema,
    status: z.enum(["active", "revoked", "expired"]),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    replacedBy: z.string().nullable().openapi({ description: "Set by a rotation: the key that replaces this one" }),
    lastUsedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Key");

const secret = { key: z.string().openapi({ description: "The API key: shown only in this response", example: "ew_live_Q3xa..." }) };
const CreatedKey = Key.extend(secret).openapi("CreatedKey");
const RotatedKey = Key.extend({
  ...secret,
  replaces: z.object({ id: z.string(), expiresAt: z.iso.datetime().openapi({ description: "When the old key stops working" }) }),
}).openapi("RotatedKey");

const CreateKey = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    scopes: z.array(z.enum(KEY_SCOPES)).max(KEY_SCOPES.length).optional().openapi({ description: "`admin`: may manage its own tenant" }),
    models: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
    limits: LimitsSchema.optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, in the future" }),
  })
  .openapi("CreateKey");

const RotateKey = z
  .strictObject({
    gracePeriodSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).openapi({ description: "How long the old key keeps working" }),
  })
  .openapi("RotateKey");

const KeyParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "key_0p2k7d9s3m1c8v4x6b5n" }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });
const common = { tags: ["Admin"], security: [{ bearerAuth: [] }] };

const create = createRoute({
  ...common,
  method: "post",
  path: "/admin/tenants/{id}/keys",
  summary: "Create an API key (the response is the only time the key is shown)",
  request: { params: TenantParams, ...body(CreateKey) },
  responses: { 201: json(CreatedKey, "The key, with the secret"), ...adminErrorResponses },
});

const list = createRoute({
  ...common,
  method: "get",
  path: "/admin/tenants/{id}/keys",
  summary: "List a tenant's keys (never the key or its hash)",
  request: { params: TenantParams },
  responses: { 200: json(z.object({ data: z.array(Key) }), "The keys, oldest first"), ...adminErrorResponses },
});

const revoke = createRoute({
  ...common,
  method: "delete",
  path: "/admin/keys/{id}",
  summary: "Revoke a key (stops working everywhere within 2 s; idempotent)",
  request: { params: KeyParams },
  responses: { 200: json(Key, "The revoked key"), ...adminErrorResponses },
});

const rotate = createRoute({
  ...common,
  method: "post",
  path: "/admin/keys/{id}/rotate",
  summary: "Replace a key by a new one with the same settings; the old one works until the grace period ends",
  request: { params: KeyParams, ...body(RotateKey) },
  responses: { 201: json(RotatedKey, "The new key, with the secret"), ...adminErrorResponses },
});

/** `POST|GET /admin/tenants/{id}/keys`, `DELETE /admin/keys/{id}`, `POST /admin/keys/{id}/rotate`. */
export const registerAdminKeys = (app: App) => {
  app.openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    const { expiresAt, ...input } = c.req.valid("json");
    return c.json(await createKey(adminContext(c), id, { ...input, ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}) }), 201);
  });
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    return c.json({ data: await listTenantKeys(adminContext(c), id) }, 200);
  });
  app.openapi(revoke, async (c) => c.json(await revokeKey(adminContext(c), c.req.valid("param").id), 200));
  app.openapi(rotate, async (c) =>
    c.json(await rotateKey(adminContext(c), c.req.valid("param").id, c.req.valid("json").gracePeriodSeconds), 201),
  );
};
