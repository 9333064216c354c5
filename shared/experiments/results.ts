import type { Experiment, NewAuditEntry, Variant } from "../../schema";
import type { Db } from "../storage/postgres/db";
import {
  type ExperimentState,
  type MeasureAggregate,
  runningExperimentRows,
  storeExperimentResults,
  updateExperimentIf,
  type VariantAggregate,
  variantAggregates,
} from "../storage/postgres/experiments";
import { twoProportionZTest, welchTTest } from "./stats";

/** The level at which results flag a difference as `significant` (display only; the guardrail has its own). */
export const DISPLAY_ALPHA = 0.05;
/** Guardrail defaults: any increase of the error rate, at p < 0.01, with ≥ 30 requests in both arms. */
export const GUARDRAIL_DEFAULTS = { maxErrorRateIncrease: 0, alpha: 0.01, minRequests: 30 } as const;

/** A rate of a variant against the control's: difference (variant − control) and the z-test. */
export type RateComparison = { diff: number | null; z: number; pValue: number; significant: boolean };
/** A mean of a variant against the control's: difference (variant − control) and Welch's t-test. */
export type MeanComparison = { diff: number | null; t: number; df: number; pValue: number; significant: boolean };

/** One variant's metrics; rates and means are null without observations (JSON has no NaN). */
export type VariantResult = {
  name: string;
  stopped: boolean;
  requests: number;
  errors: number;
  errorRate: number | null;
  cacheHits: number;
  cacheHitRate: number | null;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
  costUsd: number;
  latencyMs: MeasureAggregate;
  ttftMs: MeasureAggregate;
  feedback: MeasureAggregate;
  /** Null for the control (the first variant). */
  vsControl: {
    errorRate: RateComparison;
    cacheHitRate: RateComparison;
    latencyMs: MeanComparison;
    ttftMs: MeanComparison;
    feedback: MeanComparison;
  } | null;
};

/** What `experiments.results` holds and `GET /admin/experiments/:id/results` shows. */
export type ExperimentResults = {
  experimentId: string;
  computedAt: string;
  control: string;
  alpha: number;
  variants: VariantResult[];
};

const EMPTY: Omit<VariantAggregate, "variant"> = {
  requests: 0,
  errors: 0,
  cacheHits: 0,
  promptTokens: 0,
  completionTokens: 0,
  costMicroUsd: 0,
  latencyMs: { n: 0, mean: null, variance: null },
  ttftMs: { n: 0, mean: null, variance: null },
  feedback: { n: 0, mean: null, variance: null },
};

const rate = (k: number, n: number) => (n > 0 ? k / n : null);
const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

function compareRates(a: [number, number], b: [number, number]): RateComparison {
  const { z, pValue } = twoProportionZTest(a[0], a[1], b[0], b[1]);
  return { diff: minus(rate(...b), rate(...a)), z, pValue, significant: pValue < DISPLAY_ALPHA };
}

function compareMeans(a: MeasureAggregate, b: MeasureAggregate): MeanComparison {
  const sample = (m: MeasureAggregate) => ({ mean: m.mean ?? 0, variance: m.variance ?? 0, n: m.n });
  const { t, df, pValue } = welchTTest(sample(a), sample(b));
  return { diff: minus(b.mean, a.mean), t, df, pValue, significant: pValue < DISPLAY_ALPHA };
}

/**
 * Results from per-variant aggregates: metrics in the experiment's variant order (a variant
 * without traffic shows zeros; events of unknown variant names are left out), each variant tested
 * against the first (the control).
 * @example buildResults(experiment, await variantAggregates(db, experiment), new Date())
 */
export function buildResults(experiment: Pick<Experiment, "id" | "variants">, aggregates: VariantAggregate[], at: Date): ExperimentResults {
  const byName = new Map(aggregates.map((a) => [a.variant, a]));
  const metrics = experiment.variants.map((v) => {
    const a = byName.get(v.name) ?? EMPTY;
    return { v, a };
  });
  const control = metrics[0]?.a ?? EMPTY;
  return {
    experimentId: experiment.id,
    computedAt: at.toISOString(),
    control: experiment.variants[0]?.name ?? "",
    alpha: DISPLAY_ALPHA,
    variants: metrics.map(({ v, a }, i) => ({
      name: v.name,
      stopped: v.stopped === true,
      requests: a.requests,
      errors: a.errors,
      errorRate: rate(a.errors, a.requests),
      cacheHits: a.cacheHits,
      cacheHitRate: rate(a.cacheHits, a.requests),
      promptTokens: a.promptTokens,
      completionTokens: a.completionTokens,
      costMicroUsd: a.costMicroUsd,
      costUsd: a.costMicroUsd / 1_000_000,
      latencyMs: a.latencyMs,
      ttftMs: a.ttftMs,
      feedback: a.feedback,
      vsControl:
        i === 0
          ? null
          : {
              errorRate: compareRates([control.errors, control.requests], [a.errors, a.requests]),
              cacheHitRate: compareRates([control.cacheHits, control.requests], [a.cacheHits, a.requests]),
              latencyMs: compareMeans(control.latencyMs, a.latencyMs),
              ttftMs: compareMeans(control.ttftMs, a.ttftMs),
              feedback: compareMeans(control.feedback, a.feedback),
            },
    })),
  };
}

/**
 * The variants the guardrail stops: not the control, not stopped yet, ≥ 30 requests in both arms,
 * an error rate above the control's by more than `maxErrorRateIncrease` (an absolute difference,
 * e.g. 0.02 = two points), and the two-proportion z-test's p below `alpha`. None without a guardrail.
 */
export function guardrailStops(guardrail: Experiment["guardrail"], results: ExperimentResults): string[] {
  if (!guardrail) return [];
  const maxIncrease = guardrail.maxErrorRateIncrease ?? GUARDRAIL_DEFAULTS.maxErrorRateIncrease;
  const alpha = guardrail.alpha ?? GUARDRAIL_DEFAULTS.alpha;
  const [control, ...others] = results.variants;
  if (!control || control.requests < GUARDRAIL_DEFAULTS.minRequests) return [];
  return others
    .filter((v) => {
      const test = v.vsControl?.errorRate;
      if (v.stopped || v.requests < GUARDRAIL_DEFAULTS.minRequests || !test || test.diff === null) return false;
      return test.diff > maxIncrease && test.z > 0 && test.pValue < alpha;
    })
    .map((v) => v.name);
}

/** Computes an experiment's results now (read-only: nothing stored, nothing stopped). */
export async function experimentResults(
  db: Db,
  experiment: Pick<Experiment, "id" | "tenantId" | "variants" | "createdAt">,
  at = new Date(),
): Promise<ExperimentResults> {
  return buildResults(experiment, await variantAggregates(db, experiment), at);
}

export type ComputeOptions = {
  /** The time results are stamped with. @default now */
  at?: Date;
  /** Only these experiments (still only running ones). @default every running experiment */
  ids?: string[];
};

export type ComputeSummary = { computed: number; failed: number; stopped: Array<{ experimentId: string; variant: string }> };

/**
 * The cron job: for every running experiment, computes its results, applies its guardrail (stopped
 * variants are marked `stopped: true`, audited as `experiment.update` by actor `cron`), and stores
 * the results in `experiments.results`. One experiment failing does not stop the others.
 * @example jobs.experiments = () => computeExperimentResults(services);
 */
export async function computeExperimentResults(deps: { db: Db }, opts: ComputeOptions = {}): Promise<ComputeSummary> {
  const at = opts.at ?? new Date();
  const summary: ComputeSummary = { computed: 0, failed: 0, stopped: [] };
  const running = await runningExperimentRows(deps.db);
  for (const experiment of opts.ids ? running.filter((e) => opts.ids?.includes(e.id)) : running) {
    try {
      const results = await experimentResults(deps.db, experiment, at);
      const stop = guardrailStops(experiment.guardrail, results);
      if (stop.length > 0 && (await stopVariants(deps.db, experiment, stop, at))) {
        for (const v of results.variants) if (stop.includes(v.name)) v.stopped = true;
        summary.stopped.push(...stop.map((variant) => ({ experimentId: experiment.id, variant })));
      }
      await storeExperimentResults(deps.db, experiment.id, results, at);
      summary.computed++;
    } catch (err) {
      summary.failed++;
      console.error(JSON.stringify({ level: "error", job: "experiments", experimentId: experiment.id, error: String(err) }));
    }
  }
  return summary;
}

/** Marks variants stopped unless the experiment changed since it was read (the next run retries then). */
async function stopVariants(db: Db, experiment: Experiment, names: string[], at: Date): Promise<boolean> {
  const expected: ExperimentState = {
    status: experiment.status,
    variants: experiment.variants,
    guardrail: experiment.guardrail,
    shadow: experiment.shadow,
  };
  const variants: Variant[] = experiment.variants.map((v) => (names.includes(v.name) ? { ...v, stopped: true } : v));
  const audit: NewAuditEntry = {
    tenantId: experiment.tenantId,
    actor: "cron",
    action: "experiment.update",
    targetType: "experiment",
    targetId: experiment.id,
    before: { variants: experiment.variants },
    after: { variants, reason: `guardrail: error rate significantly above the control's (${names.join(", ")})` },
    requestId: `cron_${at.getTime()}`,
  };
  return updateExperimentIf(db, { id: experiment.id, expected, next: { ...expected, variants }, audit });
}
