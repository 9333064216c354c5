import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { auditLog, experiments, feedback, type NewUsageEvent, tenants, usageEvents, type Variant } from "../../../schema";
import { parseEnv } from "../../../shared/config/env";
import { computeExperimentResults, type ExperimentResults } from "../../../shared/experiments/results";
import { createDb } from "../../../shared/storage/postgres/db";
import { findExperiment, updateExperimentIf } from "../../../shared/storage/postgres/experiments";

const stack = inject("stack");
const db = createDb(parseEnv(stack.bindings));
const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
const otherTenant = `ten_exp_results_${tag}`;
const ids: string[] = [];

type Row = {
  errors?: boolean;
  latency: number | null;
  ttft: number | null;
  prompt: number;
  completion: number;
  cost: number;
  cache: "hit" | "semantic-hit" | "miss";
};

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const varSamp = (xs: number[]) => xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1);

async function newExperiment(variants: Variant[], guardrail: { maxErrorRateIncrease?: number; alpha?: number } | null): Promise<string> {
  const id = `exp_results_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  ids.push(id);
  await db
    .insert(experiments)
    .values({ id, tenantId: stack.tenantId, model: `exp-results-${tag}`, name: id, salt: tag, variants, guardrail });
  return id;
}

/** Inserts one usage event per row for the variant; returns their request ids. */
async function insertEvents(experimentId: string, variant: string, rows: Row[], extra: Partial<NewUsageEvent> = {}): Promise<string[]> {
  const events: NewUsageEvent[] = rows.map((r, i) => ({
    requestId: `req_exp_${experimentId}_${variant}_${i}_${extra.attemptKind ?? "request"}`,
    tenantId: stack.tenantId,
    endpoint: "chat",
    modelRequested: `exp-results-${tag}`,
    experimentId,
    variant,
    status: r.errors && i % 2 === 0 ? 502 : 200,
    errorCode: r.errors && i % 2 === 1 ? "stream_aborted" : null,
    latencyMs: r.latency,
    ttftMs: r.ttft,
    promptTokens: r.prompt,
    completionTokens: r.completion,
    costMicroUsd: r.cost,
    cacheStatus: r.cache,
    createdAt: new Date(),
    ...extra,
  }));
  for (let i = 0; i < events.length; i += 100) await db.insert(usageEvents).values(events.slice(i, i + 100));
  return events.map((e) => e.requestId);
}

const arm = (n: number, errors: number, latencyBase: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    errors: i < errors,
    latency: i === n - 1 ? null : latencyBase + ((i * 37) % 101),
    ttft: i % 5 === 4 ? null : Math.round(latencyBase / 3) + ((i * 11) % 17),
    prompt: 10 + (i % 7),
    completion: 5 + (i % 3),
    cost: 3 + (i % 4),
    cache: i % 10 === 0 ? "hit" : i % 25 === 1 ? "semantic-hit" : "miss",
  }));

function expectAggregates(result: ExperimentResults["variants"][number] | undefined, rows: Row[], scores: number[]) {
  const num = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);
  const latency = num(rows.map((r) => r.latency));
  const ttft = num(rows.map((r) => r.ttft));
  const errors = rows.filter((r) => r.errors).length;
  const hits = rows.filter((r) => r.cache !== "miss").length;
  expect(result).toMatchObject({
    requests: rows.length,
    errors,
    errorRate: errors / rows.length,
    cacheHits: hits,
    cacheHitRate: hits / rows.length,
    promptTokens: rows.reduce((s, r) => s + r.prompt, 0),
    completionTokens: rows.reduce((s, r) => s + r.completion, 0),
    costMicroUsd: rows.reduce((s, r) => s + r.cost, 0),
    costUsd: rows.reduce((s, r) => s + r.cost, 0) / 1e6,
    latencyMs: { n: latency.length },
    ttftMs: { n: ttft.length },
    feedback: { n: scores.length },
  });
  expect(result?.latencyMs.mean).toBeCloseTo(mean(latency), 9);
  expect(result?.latencyMs.variance).toBeCloseTo(varSamp(latency), 6);
  expect(result?.ttftMs.mean).toBeCloseTo(mean(ttft), 9);
  expect(result?.ttftMs.variance).toBeCloseTo(varSamp(ttft), 6);
  if (scores.length > 1) {
    expect(result?.feedback.mean).toBeCloseTo(mean(scores), 9);
    expect(result?.feedback.variance).toBeCloseTo(varSamp(scores), 9);
  } else {
    expect(result?.feedback).toEqual({ n: 0, mean: null, variance: null });
  }
}

const audits = async (experimentId: string) => db.select().from(auditLog).where(eq(auditLog.targetId, experimentId)).orderBy(auditLog.id);

beforeAll(async () => {
  await db.insert(tenants).values({ id: otherTenant, name: `exp results ${tag}` });
});

afterAll(async () => {
  await db.delete(feedback).where(eq(feedback.tenantId, otherTenant));
  await db.delete(usageEvents).where(inArray(usageEvents.experimentId, ids));
  await db.delete(experiments).where(inArray(experiments.id, ids));
  await db.delete(tenants).where(eq(tenants.id, otherTenant));
});

describe("computeExperimentResults", () => {
  it("stores exact per-variant aggregates and stops a variant with 40% errors against the control's 5%", async () => {
    const variants = [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 40, version: "2.0.0" },
      { name: "idle", weight: 10 },
    ];
    const id = await newExperiment(variants, {});
    const control = arm(100, 5, 100);
    const treatment = arm(100, 40, 160);
    const controlIds = await insertEvents(id, "control", control);
    const treatmentIds = await insertEvents(id, "treatment", treatment);
    // Never counted: a retry of a control request, an unknown variant, another experiment's event.
    await insertEvents(id, "control", arm(3, 3, 999), { attemptKind: "retry" });
    await insertEvents(id, "ghost", arm(5, 5, 999));
    await insertEvents(`exp_other_${tag}`, "control", arm(5, 5, 999));
    const scores = [1, -1, 0.5, 1, 1, 0, -0.5, 1, 1, 1];
    await db.insert(feedback).values(scores.map((score, i) => ({ requestId: controlIds[i] as string, tenantId: stack.tenantId, score })));
    // Another tenant's rating of this tenant's request never counts.
    await db.insert(feedback).values({ requestId: treatmentIds[0] as string, tenantId: otherTenant, score: -1 });

    const at = new Date("2026-03-04T05:06:07.000Z");
    const summary = await computeExperimentResults({ db }, { at });
    expect(summary.stopped).toContainEqual({ experimentId: id, variant: "treatment" });

    const row = await findExperiment(db, id);
    expect(row?.variants).toEqual([variants[0], { ...variants[1], stopped: true }, variants[2]]);
    expect(row?.resultsAt?.toISOString()).toBe(at.toISOString());
    const results = row?.results as ExperimentResults;
    expect(results).toMatchObject({ experimentId: id, computedAt: at.toISOString(), control: "control", alpha: 0.05 });
    expect(results.variants.map((v) => [v.name, v.stopped])).toEqual([
      ["control", false],
      ["treatment", true],
      ["idle", false],
    ]);
    expectAggregates(results.variants[0], control, scores);
    expectAggregates(results.variants[1], treatment, []);
    expect(results.variants[2]).toMatchObject({ requests: 0, errors: 0, errorRate: null, latencyMs: { n: 0, mean: null, variance: null } });
    expect(results.variants[0]?.vsControl).toBeNull();

    // 5/100 vs 40/100: z = 5.92667, p = 3.09e-9 (see stats.test.ts).
    const vs = results.variants[1]?.vsControl;
    expect(vs?.errorRate.diff).toBeCloseTo(0.35, 12);
    expect(vs?.errorRate.z).toBeCloseTo(5.926672593342223, 9);
    expect(vs?.errorRate).toMatchObject({ significant: true });
    expect(vs?.latencyMs.diff).toBeGreaterThan(0);
    expect(vs?.latencyMs.significant).toBe(true);
    expect(results.variants[2]?.vsControl?.errorRate).toEqual({ diff: null, z: 0, pValue: 1, significant: false });

    expect((await audits(id)).map((a) => ({ actor: a.actor, action: a.action, tenantId: a.tenantId, targetType: a.targetType }))).toEqual([
      { actor: "cron", action: "experiment.update", tenantId: stack.tenantId, targetType: "experiment" },
    ]);

    // The next run finds nothing more to stop: no second audit row.
    await computeExperimentResults({ db }, { ids: [id] });
    expect(await audits(id)).toHaveLength(1);
  });

  it("does not stop a variant whose error rate equals the control's, nor any without a guardrail", async () => {
    const variants = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ];
    const equal = await newExperiment(variants, { alpha: 0.05 });
    await insertEvents(equal, "a", arm(100, 5, 100));
    await insertEvents(equal, "b", arm(100, 5, 100));
    const unguarded = await newExperiment(variants, null);
    await insertEvents(unguarded, "a", arm(100, 5, 100));
    await insertEvents(unguarded, "b", arm(100, 40, 100));
    const tolerant = await newExperiment(variants, { maxErrorRateIncrease: 0.4 });
    await insertEvents(tolerant, "a", arm(100, 5, 100));
    await insertEvents(tolerant, "b", arm(100, 40, 100));
    const few = await newExperiment(variants, {});
    await insertEvents(few, "a", arm(29, 0, 100));
    await insertEvents(few, "b", arm(29, 29, 100));

    const summary = await computeExperimentResults({ db }, { ids: [equal, unguarded, tolerant, few] });
    expect(summary).toEqual({ computed: 4, failed: 0, stopped: [] });
    for (const id of [equal, unguarded, tolerant, few]) {
      const row = await findExperiment(db, id);
      expect(row?.variants).toEqual(variants);
      expect(row?.results).not.toBeNull();
      expect(await audits(id)).toEqual([]);
    }
    const results = (await findExperiment(db, equal))?.results as ExperimentResults;
    expect(results.variants[1]?.vsControl?.errorRate).toEqual({ diff: 0, z: 0, pValue: 1, significant: false });
  });

  it("skips stopped experiments", async () => {
    const id = await newExperiment(
      [
        { name: "a", weight: 1 },
        { name: "b", weight: 1 },
      ],
      {},
    );
    await db.update(experiments).set({ status: "stopped" }).where(eq(experiments.id, id));
    expect(await computeExperimentResults({ db }, { ids: [id] })).toEqual({ computed: 0, failed: 0, stopped: [] });
    expect((await findExperiment(db, id))?.results).toBeNull();
  });
});

describe("updateExperimentIf", () => {
  it("changes nothing and audits nothing when the row changed since it was read", async () => {
    const variants = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ];
    const id = await newExperiment(variants, null);
    const expected = { status: "running" as const, variants, guardrail: null, shadow: null };
    const audit = {
      tenantId: stack.tenantId,
      actor: "cron",
      action: "experiment.update",
      targetType: "experiment",
      targetId: id,
      requestId: "req_t",
    };
    const stale = { ...expected, variants: [{ name: "a", weight: 2 }, variants[1] as Variant] };
    expect(await updateExperimentIf(db, { id, expected: stale, next: { ...expected, status: "stopped" }, audit })).toBe(false);
    expect((await findExperiment(db, id))?.status).toBe("running");
    expect(await audits(id)).toEqual([]);

    const next = { ...expected, shadow: { version: "9.9.9", percent: 5 } };
    expect(await updateExperimentIf(db, { id, expected, next, audit: { ...audit, before: expected, after: next } })).toBe(true);
    expect((await findExperiment(db, id))?.shadow).toEqual({ version: "9.9.9", percent: 5 });
    expect((await audits(id)).map((a) => [a.action, a.after])).toEqual([["experiment.update", next]]);
    // A second identical call no longer matches (shadow changed): compare-and-set, not last-write-wins.
    expect(await updateExperimentIf(db, { id, expected, next, audit })).toBe(false);
  });
});
