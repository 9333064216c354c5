import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { DEPLOYMENT_STATUSES } from "../../schema/tables/deployments";
import { GatewayError } from "../../shared/errors/gateway-error";
import { assertOperator, createDeployment, listDeployments, updateDeployment } from "../../shared/registry/admin-deployments";
import { createVersion, getModel, rollbackAlias, setAlias, validateVersion } from "../../shared/registry/admin-models";
import { DeploymentId, DeploymentPatch, ModelName, NewDeploymentInput, NewVersionInput, Semver } from "../../shared/registry/admin-schemas";
import { ALIAS_NAME } from "../../shared/registry/names";
import { providerProbe } from "../../shared/registry/probe";
import { STRATEGIES } from "../../shared/registry/select";
import type { App } from "../app";
import type { HonoEnv } from "../env";
import { adminContext } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });
const path = <T extends z.ZodType>(schema: T, name: string) => schema.openapi({ param: { name, in: "path" } });

const ErrorDetail = z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() });

const Deployment = z
  .object({
    id: z.string(),
    provider: z.string(),
    upstreamModel: z.string(),
    region: z.string(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    baseUrl: z.string().nullable(),
    weight: z.number(),
    options: z.record(z.string(), z.string()),
    inputMicroUsdPerMTok: z.number().nullable(),
    outputMicroUsdPerMTok: z.number().nullable(),
    status: z.enum(DEPLOYMENT_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Deployment");

const Version = z
  .object({
    model: z.string(),
    version: z.string(),
    targets: z.array(z.object({ deploymentId: z.string(), weight: z.number().optional() })),
    strategy: z.string().openapi({ enum: [...STRATEGIES] }),
    fallbacks: z.array(z.string()),
    params: z.record(z.string(), z.unknown()),
    systemPrompt: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    validatedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("ModelVersion");

const Alias = z
  .object({ alias: z.string(), version: z.string(), previousVersion: z.string().nullable(), updatedAt: z.iso.datetime() })
  .openapi("ModelAlias");

const Probe = z
  .object({
    ok: z.boolean(),
    results: z.array(
      z.object({
        deploymentId: z.string(),
        ok: z.boolean(),
        status: z.number().openapi({ description: "Upstream status; 0 when none answered" }),
        error: z.string().optional(),
        ms: z.number(),
        skipped: z.literal("disabled").optional(),
      }),
    ),
  })
  .openapi("ProbeResult");

const ModelParams = z.object({ model: path(ModelName, "model") });
const VersionParams = ModelParams.extend({ version: path(Semver, "version") });
const AliasParams = ModelParams.extend({ alias: path(z.string().regex(ALIAS_NAME, "lower case, starts with a letter"), "alias") });
// Before body validation, so a tenant key learns nothing but 403 about the registry's shapes.
const operatorOnly = createMiddleware<HonoEnv>(async function operatorOnly(c, next) {
  assertOperator({ actor: c.get("actor") });
  await next();
});
const admin = { tags: ["Admin"], security: [{ bearerAuth: [] }], middleware: [operatorOnly] };
const conflictResponse = { 409: json(z.object({ error: ErrorDetail }), "It exists already") };

const routes = {
  createDeployment: createRoute({
    ...admin,
    method: "post",
    path: "/admin/deployments",
    summary: "Create a deployment: a provider's upstream model in a region (admin token only)",
    request: body(NewDeploymentInput.openapi("NewDeployment")),
    responses: { 201: json(Deployment, "The deployment"), ...conflictResponse, ...adminErrorResponses },
  }),
  listDeployments: createRoute({
    ...admin,
    method: "get",
    path: "/admin/deployments",
    summary: "Every deployment (admin token only)",
    responses: { 200: json(z.object({ data: z.array(Deployment) }), "Deployments"), ...adminErrorResponses },
  }),
  updateDeployment: createRoute({
    ...admin,
    method: "patch",
    path: "/admin/deployments/{id}",
    summary: "Change a deployment's status, weight, region, coordinates, base URL, options or prices (within 1 s)",
    request: { params: z.object({ id: path(DeploymentId, "id") }), ...body(DeploymentPatch.openapi("DeploymentPatch")) },
    responses: { 200: json(Deployment, "The deployment after the change"), ...adminErrorResponses },
  }),
  createVersion: createRoute({
    ...admin,
    method: "post",
    path: "/admin/models/{model}/versions",
    summary: "Create an immutable version of a logical model",
    request: { params: ModelParams, ...body(NewVersionInput.openapi("NewModelVersion")) },
    responses: { 201: json(Version, "The version"), ...conflictResponse, ...adminErrorResponses },
  }),
  getModel: createRoute({
    ...admin,
    method: "get",
    path: "/admin/models/{model}",
    summary: "A logical model's versions (newest first) and aliases",
    request: { params: ModelParams },
    responses: {
      200: json(z.object({ model: z.string(), versions: z.array(Version), aliases: z.array(Alias) }).openapi("LogicalModel"), "The model"),
      ...adminErrorResponses,
    },
  }),
  validate: createRoute({
    ...admin,
    method: "post",
    path: "/admin/models/{model}/versions/{version}/validate",
    summary: "Live-probe every active target of a version; marks it validated when all answer 2xx",
    request: { params: VersionParams },
    responses: {
      200: json(z.object({ version: Version, probe: Probe }), "Validated"),
      ...adminErrorResponses,
      502: json(z.object({ error: ErrorDetail, probe: Probe }), "A target failed the probe (see `probe.results`)"),
    },
  }),
  setAlias: createRoute({
    ...admin,
    method: "put",
    path: "/admin/models/{model}/aliases/{alias}",
    summary: "Point an alias at a validated version (promote, pin); the old one is kept for rollback",
    request: { params: AliasParams, ...body(z.strictObject({ version: Semver }).openapi("SetAlias")) },
    responses: { 200: json(Alias, "The alias"), ...adminErrorResponses },
  }),
  rollback: createRoute({
    ...admin,
    method: "post",
    path: "/admin/models/{model}/aliases/{alias}/rollback",
    summary: "Swap an alias back to its previous version (takes effect within 1 s)",
    request: { params: AliasParams },
    responses: { 200: json(Alias, "The alias after the rollback"), ...adminErrorResponses },
  }),
};

/** The model registry of the admin API: deployments, versions, validation, aliases (admin token only). */
export const registerAdminRegistry = (app: App) => {
  app.openapi(routes.createDeployment, async (c) => {
    const out = await createDeployment(adminContext(c), c.req.valid("json"));
    if ("conflict" in out) throw new GatewayError("conflict", out.conflict, { param: "id" });
    return c.json(out.created, 201);
  });
  app.openapi(routes.listDeployments, async (c) => c.json({ data: await listDeployments(adminContext(c)) }, 200));
  app.openapi(routes.updateDeployment, async (c) =>
    c.json(await updateDeployment(adminContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
  app.openapi(routes.createVersion, async (c) => {
    const out = await createVersion(adminContext(c), c.req.valid("param").model, c.req.valid("json"));
    if ("conflict" in out) throw new GatewayError("conflict", out.conflict, { param: "version" });
    return c.json(out.created, 201);
  });
  app.openapi(routes.getModel, async (c) => c.json(await getModel(adminContext(c), c.req.valid("param").model), 200));
  app.openapi(routes.validate, async (c) => {
    const { model, version } = c.req.valid("param");
    const out = await validateVersion(adminContext(c), model, version, providerProbe(c.get("services").env, c.env));
    if (out.probe.ok) return c.json(out, 200);
    const failed = out.probe.results.filter((r) => !r.ok).map((r) => `${r.deploymentId} (${r.status || r.error})`);
    const message = `Probe failed for ${failed.join(", ") || "every target (none is active)"}; the version is not validated`;
    return c.json({ error: { message, type: "upstream_error", param: null, code: "upstream_error" }, probe: out.probe }, 502);
  });
  app.openapi(routes.setAlias, async (c) => {
    const { model, alias } = c.req.valid("param");
    return c.json(await setAlias(adminContext(c), model, alias, c.req.valid("json").version), 200);
  });
  app.openapi(routes.rollback, async (c) => {
    const { model, alias } = c.req.valid("param");
    return c.json(await rollbackAlias(adminContext(c), model, alias), 200);
  });
};
