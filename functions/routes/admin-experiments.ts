import { createRoute, z } from "@hono/zod-openapi";
import { EXPERIMENT_STATUSES } from "../../schema";
import {
  createExperiment,
  experimentView,
  getExperimentResults,
  listExperimentsFor,
  loadExperiment,
  updateExperiment,
} from "../../shared/experiments/admin";
import { CreateExperiment, Guardrail, Shadow, UpdateExperiment, VariantInput } from "../../shared/experiments/schemas";
import type { App } from "../app";
import { adminContext } from "../middleware/admin-auth";
import { adminErrorResponses } from "../openapi";

const GuardrailSchema = Guardrail.openapi("ExperimentGuardrail", {
  description: "Stop a variant whose error rate exceeds the control's by more than maxErrorRateIncrease at p < alpha (≥ 30 requests each)",
});
const ShadowSchema = Shadow.openapi("ExperimentShadow", {
  description: "Mirror `percent` of subjects to `version`; answers recorded, never returned",
});

const Experiment = z
  .object({
    id: z.string().openapi({ example: "exp_0k3v9c2m8q1x7v5b4n6z" }),
    tenantId: z.string().nullable().openapi({ description: "null: a global experiment (admin token only)" }),
    model: z.string(),
    name: z.string(),
    status: z.enum(EXPERIMENT_STATUSES),
    variants: z.array(VariantInput.extend({ stopped: z.boolean().optional() })).openapi({ description: "The first is the control" }),
    guardrail: GuardrailSchema.nullable(),
    shadow: ShadowSchema.nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    resultsAt: z.iso.datetime().nullable(),
  })
  .openapi("Experiment");

const Measure = z.object({ n: z.number(), mean: z.number().nullable(), variance: z.number().nullable() });
const RateTest = z.object({ diff: z.number().nullable(), z: z.number(), pValue: z.number(), significant: z.boolean() });
const MeanTest = z.object({ diff: z.number().nullable(), t: z.number(), df: z.number(), pValue: z.number(), significant: z.boolean() });
const VariantResult = z.object({
  name: z.string(),
  stopped: z.boolean(),
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number().nullable(),
  cacheHits: z.number(),
  cacheHitRate: z.number().nullable(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costMicroUsd: z.number(),
  costUsd: z.number(),
  latencyMs: Measure,
  ttftMs: Measure,
  feedback: Measure,
  vsControl: z
    .object({ errorRate: RateTest, cacheHitRate: RateTest, latencyMs: MeanTest, ttftMs: MeanTest, feedback: MeanTest })
    .nullable()
    .openapi({ description: "Two-sided tests against the control: z-test for rates, Welch's t-test for means" }),
});
const Results = z
  .object({
    experimentId: z.string(),
    computedAt: z.iso.datetime().nullable(),
    fresh: z.boolean(),
    results: z
      .object({
        experimentId: z.string(),
        computedAt: z.string(),
        control: z.string(),
        alpha: z.number(),
        variants: z.array(VariantResult),
      })
      .nullable()
      .openapi({ description: "null until the cron first computed them (or ask `?fresh=1`)" }),
  })
  .openapi("ExperimentResults");

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "exp_0k3v9c2m8q1x7v5b4n6z" }),
});
const ListQuery = z.object({ tenantId: z.string().min(1).max(100).optional() });
const ResultsQuery = z.object({
  fresh: z
    .enum(["0", "1", "true", "false"])
    .optional()
    .transform((v) => v === "1" || v === "true")
    .openapi({ description: "`1`: compute from the usage events now instead of the cron's stored results" }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } }, required: true } });
const base = { tags: ["Admin"], security: [{ bearerAuth: [] }] };

const create = createRoute({
  ...base,
  method: "post",
  path: "/admin/experiments",
  summary: "Start an A/B experiment on a model (no tenantId: global, admin token only)",
  request: body(CreateExperiment.openapi("CreateExperiment")),
  responses: { 201: json(Experiment, "The running experiment"), ...adminErrorResponses },
});
const list = createRoute({
  ...base,
  method: "get",
  path: "/admin/experiments",
  summary: "Experiments, newest first: a tenant's, or all of them for the admin token",
  request: { query: ListQuery },
  responses: { 200: json(z.object({ data: z.array(Experiment) }), "Experiments"), ...adminErrorResponses },
});
const get = createRoute({
  ...base,
  method: "get",
  path: "/admin/experiments/{id}",
  summary: "Get an experiment",
  request: { params: IdParams },
  responses: { 200: json(Experiment, "The experiment"), ...adminErrorResponses },
});
const update = createRoute({
  ...base,
  method: "patch",
  path: "/admin/experiments/{id}",
  summary: "Stop or resume an experiment, change variant weights, stop variants, set the guardrail or shadow",
  request: { params: IdParams, ...body(UpdateExperiment.openapi("UpdateExperiment")) },
  responses: { 200: json(Experiment, "The experiment after the change"), ...adminErrorResponses },
});
const results = createRoute({
  ...base,
  method: "get",
  path: "/admin/experiments/{id}/results",
  summary: "Per-variant metrics and significance against the control",
  request: { params: IdParams, query: ResultsQuery },
  responses: { 200: json(Results, "Results"), ...adminErrorResponses },
});

/** The experiments of the admin API: create, list, get, change, results. */
export const registerAdminExperiments = (app: App) => {
  app.openapi(create, async (c) => c.json(await createExperiment(adminContext(c), c.req.valid("json")), 201));
  app.openapi(list, async (c) => c.json({ data: await listExperimentsFor(adminContext(c), c.req.valid("query").tenantId) }, 200));
  app.openapi(get, async (c) => c.json(experimentView(await loadExperiment(adminContext(c), c.req.valid("param").id)), 200));
  app.openapi(update, async (c) => c.json(await updateExperiment(adminContext(c), c.req.valid("param").id, c.req.valid("json")), 200));
  app.openapi(results, async (c) => {
    const { fresh } = c.req.valid("query");
    return c.json(await getExperimentResults(adminContext(c), c.req.valid("param").id, { fresh }), 200);
  });
};
