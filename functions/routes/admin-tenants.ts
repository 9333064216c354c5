import { createRoute, z } from "@hono/zod-openapi";
import { TENANT_STATUSES } from "../../schema/tables/tenants";
import { CacheSettings } from "../../shared/cache/settings";
import { Budget, Limits, TrafficSettings } from "../../shared/config/tenant";
import { RoutingSettings } from "../../shared/registry/settings";
import { createTenant, getTenant, updateTenant } from "../../shared/tenancy/tenants";
import type { App } from "../app";
import { adminContext, assertTenantAccess } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";

/** The limits object of tenants and keys, as documented. */
export const LimitsSchema = Limits.openapi("Limits", {
  description: "Per-minute request (rpm) and token (tpm) limits; absent = unlimited",
});
const BudgetSchema = Budget.openapi("Budget", { description: "Monthly spending cap in USD (calendar month, UTC)" });
const RoutingSchema = RoutingSettings.openapi("RoutingSettings", {
  description: "Data residency (a region prefix such as `eu`), the complexity router and hedging",
});
const CacheSchema = CacheSettings.openapi("CacheSettings", {
  description: "Cache mode (off | deterministic | all), default TTL, and the opt-in semantic cache",
});
const TrafficSchema = TrafficSettings.openapi("TrafficSettings", {
  description: "Limit algorithm, per-end-user limits, the completion reservation default and the Redis failure policy",
});

const Tenant = z
  .object({
    id: z.string().openapi({ example: "ten_3k9f0c2m8q1x7v5b4n6z" }),
    name: z.string(),
    status: z.enum(TENANT_STATUSES),
    limits: LimitsSchema,
    budget: BudgetSchema.nullable(),
    traffic: TrafficSchema,
    cache: CacheSchema,
    routing: RoutingSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Tenant");

const CreateTenant = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    limits: LimitsSchema.optional(),
    budget: BudgetSchema.optional(),
    traffic: TrafficSchema.optional(),
  })
  .openapi("CreateTenant");

const UpdateTenant = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    status: z.enum(TENANT_STATUSES).optional().openapi({ description: "Suspension stops the tenant's keys within 2 s (admin token only)" }),
    limits: LimitsSchema.optional().openapi({ description: "Replaces the limits; `{}` removes them (admin token only)" }),
    budget: BudgetSchema.nullable().optional().openapi({ description: "Replaces the budget; null removes it" }),
    traffic: TrafficSchema.optional().openapi({ description: "Replaces the traffic settings; `{}` resets them (admin token only)" }),
    cache: CacheSchema.optional().openapi({ description: "Replaces the cache settings; `{}` resets them to the defaults" }),
    routing: RoutingSchema.optional().openapi({
      description: "Replaces the routing settings (residency, complexity router, hedging); `{}` resets them",
    }),
  })
  .openapi("UpdateTenant");

/** The `{id}` path parameter of tenant routes. */
export const TenantParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "ten_3k9f0c2m8q1x7v5b4n6z" }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });

const create = createRoute({
  method: "post",
  path: "/admin/tenants",
  tags: ["Admin"],
  summary: "Create a tenant (admin token only)",
  security: [{ bearerAuth: [] }],
  request: body(CreateTenant),
  responses: { 201: json(Tenant, "The tenant"), ...adminErrorResponses },
});

const get = createRoute({
  method: "get",
  path: "/admin/tenants/{id}",
  tags: ["Admin"],
  summary: "Get a tenant",
  security: [{ bearerAuth: [] }],
  request: { params: TenantParams },
  responses: { 200: json(Tenant, "The tenant"), ...adminErrorResponses },
});

const update = createRoute({
  method: "patch",
  path: "/admin/tenants/{id}",
  tags: ["Admin"],
  summary: "Change a tenant's name, status, limits or budget",
  security: [{ bearerAuth: [] }],
  request: { params: TenantParams, ...body(UpdateTenant) },
  responses: { 200: json(Tenant, "The tenant after the change"), ...adminErrorResponses },
});

/** `POST /admin/tenants`, `GET /admin/tenants/{id}`, `PATCH /admin/tenants/{id}`. */
export const registerAdminTenants = (app: App) => {
  app.openapi(create, async (c) => c.json(await createTenant(adminContext(c), c.req.valid("json")), 201));
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    return c.json(await getTenant(adminContext(c), id), 200);
  });
  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    assertTenantAccess(c.get("actor"), id);
    return c.json(await updateTenant(adminContext(c), id, c.req.valid("json")), 200);
  });
};
