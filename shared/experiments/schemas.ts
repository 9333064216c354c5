import { z } from "zod";
import { EXPERIMENT_STATUSES } from "../../schema";

/** A variant name: it travels in the `x-edgeway-variant` response header, so header-safe characters only. */
export const VariantName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1–64 letters, digits, `.`, `_` or `-`");

const Weight = z.number().positive().max(1_000_000);

/** One arm as created: a version, a deployment or a parameter set (or none: the model as it is), with its weight. */
export const VariantInput = z.strictObject({
  name: VariantName,
  /** Relative share of traffic (any positive scale: 50/50 or 0.5/0.5). */
  weight: Weight,
  version: z.string().min(1).max(100).optional(),
  deploymentId: z.string().min(1).max(100).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** Stops a variant whose error rate is significantly worse than the control's (see `guardrailStops`). */
export const Guardrail = z.strictObject({
  /** Tolerated absolute increase of the error rate over the control's (0.02 = two points). @default 0 */
  maxErrorRateIncrease: z.number().min(0).max(1).optional(),
  /** Significance level of the two-proportion z-test. @default 0.01 */
  alpha: z.number().gt(0).max(0.5).optional(),
});

/** Mirror `percent` of subjects' requests to a candidate version; its answers are recorded, never returned. */
export const Shadow = z.strictObject({
  version: z.string().min(1).max(100),
  percent: z.number().gt(0).max(100),
});

const uniqueNames = (variants: Array<{ name: string }>, ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (seen.has(v.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `Duplicate variant name \`${v.name}\`` });
    seen.add(v.name);
  });
};

/** `POST /admin/experiments`. The first variant is the control. */
export const CreateExperiment = z.strictObject({
  /** Absent = a global experiment over every tenant's traffic (admin token only). */
  tenantId: z.string().min(1).max(100).optional(),
  model: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200),
  variants: z.array(VariantInput).min(2).max(20).superRefine(uniqueNames),
  guardrail: Guardrail.optional(),
  shadow: Shadow.optional(),
});
export type CreateExperiment = z.infer<typeof CreateExperiment>;

/** A change to one variant, by name: its weight, or stopping (or resuming) it. */
export const VariantPatch = z.strictObject({ name: VariantName, weight: Weight.optional(), stopped: z.boolean().optional() });

/** `PATCH /admin/experiments/:id`. Variants cannot be added, removed or renamed (it would re-shuffle every user). */
export const UpdateExperiment = z.strictObject({
  status: z.enum(EXPERIMENT_STATUSES).optional(),
  variants: z.array(VariantPatch).min(1).max(20).superRefine(uniqueNames).optional(),
  /** null removes it. */
  guardrail: Guardrail.nullable().optional(),
  /** null removes it. */
  shadow: Shadow.nullable().optional(),
});
export type UpdateExperiment = z.infer<typeof UpdateExperiment>;
