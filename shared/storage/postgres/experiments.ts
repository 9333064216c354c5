import { and, asc, desc, eq, gte, isNull, type SQL, sql } from "drizzle-orm";
import { type Experiment, experiments, feedback, type NewAuditEntry, type NewExperiment, usageEvents } from "../../../schema";
import type { Db } from "./db";

/** The columns a change to an experiment may touch, compared as a whole before it is applied. */
export type ExperimentState = Pick<Experiment, "status" | "variants" | "guardrail" | "shadow">;

/** What the request path needs of a running experiment (no results, no timestamps but creation). */
export type RunningExperiment = Pick<Experiment, "id" | "tenantId" | "model" | "name" | "salt" | "status" | "variants" | "shadow">;

/** Inserts an experiment; returns the query (pass it to `db.batch` with its audit entry). */
export const insertExperiment = (db: Db, row: NewExperiment) => db.insert(experiments).values(row).returning();

/** The experiment, or null. */
export async function findExperiment(db: Db, id: string): Promise<Experiment | null> {
  const [row] = await db.select().from(experiments).where(eq(experiments.id, id)).limit(1);
  return row ?? null;
}

/**
 * Experiments, newest first: a tenant's (`tenantId`), the global ones (`tenantId: null`), or all
 * (`undefined`, for the admin token).
 */
export function listExperiments(db: Db, tenantId: string | null | undefined, limit = 200): Promise<Experiment[]> {
  const where = tenantId === undefined ? undefined : tenantId === null ? isNull(experiments.tenantId) : eq(experiments.tenantId, tenantId);
  return db.select().from(experiments).where(where).orderBy(desc(experiments.createdAt), desc(experiments.id)).limit(limit);
}

/** Every running experiment, oldest first (so every isolate picks the same one when several match). */
export function listRunningExperiments(db: Db): Promise<RunningExperiment[]> {
  return db
    .select({
      id: experiments.id,
      tenantId: experiments.tenantId,
      model: experiments.model,
      name: experiments.name,
      salt: experiments.salt,
      status: experiments.status,
      variants: experiments.variants,
      shadow: experiments.shadow,
    })
    .from(experiments)
    .where(eq(experiments.status, "running"))
    .orderBy(asc(experiments.createdAt), asc(experiments.id));
}

/** Every running experiment's full row (the cron's input), oldest first. */
export function runningExperimentRows(db: Db): Promise<Experiment[]> {
  return db.select().from(experiments).where(eq(experiments.status, "running")).orderBy(asc(experiments.createdAt), asc(experiments.id));
}

/** The id of a running experiment on `model` in this scope (a tenant, or global when null), other than `except`. */
export async function runningExperimentOn(
  db: Db,
  scope: { tenantId: string | null; model: string; except?: string },
): Promise<string | null> {
  const conditions: SQL[] = [
    eq(experiments.status, "running"),
    eq(experiments.model, scope.model),
    scope.tenantId === null ? isNull(experiments.tenantId) : eq(experiments.tenantId, scope.tenantId),
  ];
  if (scope.except) conditions.push(sql`${experiments.id} <> ${scope.except}`);
  const [row] = await db
    .select({ id: experiments.id })
    .from(experiments)
    .where(and(...conditions))
    .limit(1);
  return row?.id ?? null;
}

const jsonb = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Compare-and-set: applies `next` only while the row still holds `expected`, and writes `audit` in
 * the same statement, only when the row changed. False when someone changed it meanwhile (e.g. the
 * guardrail stopping a variant while an operator edits weights): the caller re-reads and retries,
 * so neither change is silently lost.
 */
export async function updateExperimentIf(
  db: Db,
  change: { id: string; expected: ExperimentState; next: ExperimentState; audit: NewAuditEntry },
): Promise<boolean> {
  const { id, expected, next, audit } = change;
  const result = await db.execute(sql`
    with changed as (
      update experiments
      set status = ${next.status}, variants = ${jsonb(next.variants)}::jsonb, guardrail = ${jsonb(next.guardrail)}::jsonb,
          shadow = ${jsonb(next.shadow)}::jsonb, updated_at = now()
      where id = ${id} and status = ${expected.status} and variants = ${jsonb(expected.variants)}::jsonb
        and guardrail is not distinct from ${jsonb(expected.guardrail)}::jsonb
        and shadow is not distinct from ${jsonb(expected.shadow)}::jsonb
      returning id, tenant_id
    )
    insert into audit_log (tenant_id, actor, action, target_type, target_id, before, after, request_id)
    select tenant_id, ${audit.actor}, ${audit.action}, ${audit.targetType}, id, ${jsonb(audit.before)}::jsonb,
           ${jsonb(audit.after)}::jsonb, ${audit.requestId}
    from changed
    returning target_id`);
  return result.rows.length > 0;
}

/** Stores computed results (never touches the columns a change compares). */
export async function storeExperimentResults(db: Db, id: string, results: Record<string, unknown>, at: Date): Promise<void> {
  await db.update(experiments).set({ results, resultsAt: at }).where(eq(experiments.id, id));
}

/** Mean and sample variance of one measure over the rows that have it. */
export type MeasureAggregate = { n: number; mean: number | null; variance: number | null };

/** One variant's totals over its client requests. */
export type VariantAggregate = {
  variant: string | null;
  requests: number;
  errors: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
  latencyMs: MeasureAggregate;
  ttftMs: MeasureAggregate;
  feedback: MeasureAggregate;
};

const num = (v: string | number | null) => (v === null ? null : Number(v));

/**
 * Per-variant aggregates of an experiment's client requests (`attempt_kind = 'request'`: retries,
 * fallbacks, hedges and shadows are not what the client saw). A tenant experiment reads only that
 * tenant's events. Feedback joins on the request id *and* the event's tenant, so a rating stored by
 * another tenant can never count.
 */
export async function variantAggregates(
  db: Db,
  experiment: Pick<Experiment, "id" | "tenantId" | "createdAt">,
): Promise<VariantAggregate[]> {
  const ue = usageEvents;
  // No event of the experiment predates it: the lower bound (an hour early, for clock skew between
  // the Worker and Postgres) lets a tenant experiment read through the (tenant_id, created_at) index.
  const since = new Date(experiment.createdAt.getTime() - 3_600_000);
  const where = and(
    eq(ue.experimentId, experiment.id),
    eq(ue.attemptKind, "request"),
    gte(ue.createdAt, since),
    experiment.tenantId === null ? undefined : eq(ue.tenantId, experiment.tenantId),
  );
  const rows = await db
    .select({
      variant: ue.variant,
      requests: sql<string>`count(*)`,
      errors: sql<string>`count(*) filter (where ${ue.status} >= 400 or ${ue.errorCode} is not null)`,
      cacheHits: sql<string>`count(*) filter (where ${ue.cacheStatus} in ('hit', 'semantic-hit'))`,
      promptTokens: sql<string>`coalesce(sum(${ue.promptTokens}), 0)`,
      completionTokens: sql<string>`coalesce(sum(${ue.completionTokens}), 0)`,
      costMicroUsd: sql<string>`coalesce(sum(${ue.costMicroUsd}), 0)`,
      latencyN: sql<string>`count(${ue.latencyMs})`,
      latencyMean: sql<string | null>`avg(${ue.latencyMs})`,
      latencyVar: sql<string | null>`var_samp(${ue.latencyMs})`,
      ttftN: sql<string>`count(${ue.ttftMs})`,
      ttftMean: sql<string | null>`avg(${ue.ttftMs})`,
      ttftVar: sql<string | null>`var_samp(${ue.ttftMs})`,
      feedbackN: sql<string>`count(${feedback.score})`,
      feedbackMean: sql<string | null>`avg(${feedback.score})`,
      feedbackVar: sql<string | null>`var_samp(${feedback.score})`,
    })
    .from(ue)
    .leftJoin(feedback, and(eq(feedback.requestId, ue.requestId), eq(feedback.tenantId, ue.tenantId)))
    .where(where)
    .groupBy(ue.variant);
  return rows.map((r) => ({
    variant: r.variant,
    requests: Number(r.requests),
    errors: Number(r.errors),
    cacheHits: Number(r.cacheHits),
    promptTokens: Number(r.promptTokens),
    completionTokens: Number(r.completionTokens),
    costMicroUsd: Number(r.costMicroUsd),
    latencyMs: { n: Number(r.latencyN), mean: num(r.latencyMean), variance: num(r.latencyVar) },
    ttftMs: { n: Number(r.ttftN), mean: num(r.ttftMean), variance: num(r.ttftVar) },
    feedback: { n: Number(r.feedbackN), mean: num(r.feedbackMean), variance: num(r.feedbackVar) },
  }));
}
