import { eq } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { experiments } from "../../../schema";
import { parseEnv } from "../../../shared/config/env";
import { assignVariant, subjectOf } from "../../../shared/experiments/assign";
import { EXPERIMENT_CACHE_MS, experimentFor, runningExperiments } from "../../../shared/experiments/running";
import { createDb } from "../../../shared/storage/postgres/db";

const stack = inject("stack");
const db = createDb(parseEnv(stack.bindings));
const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
const model = `exp-running-${tag}`;
const ids = [`exp_running_global_${tag}`, `exp_running_tenant_${tag}`];

afterAll(async () => {
  for (const id of ids) await db.delete(experiments).where(eq(experiments.id, id));
});

describe("runningExperiments / experimentFor", () => {
  it("loads running experiments once per isolate cache period, the tenant's own before a global one", async () => {
    const variants = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ];
    await db.insert(experiments).values([
      { id: ids[0] as string, tenantId: null, model, name: "global", salt: `g${tag}`, variants },
      { id: ids[1] as string, tenantId: stack.tenantId, model, name: "own", salt: `t${tag}`, variants },
    ]);
    const t0 = Date.now();
    const own = await experimentFor(db, { tenantId: stack.tenantId, model }, t0);
    expect(own).toMatchObject({ id: ids[1], tenantId: stack.tenantId, salt: `t${tag}`, variants, shadow: null });
    expect((await experimentFor(db, { tenantId: "ten_someone_else", model }, t0))?.id).toBe(ids[0]);
    expect(await experimentFor(db, { tenantId: stack.tenantId, model: `${model}-other` }, t0)).toBeNull();
    expect(["a", "b"]).toContain((await assignVariant(own ?? { id: "", salt: "", variants: [] }, subjectOf({ keyId: stack.keyId })))?.name);

    await db
      .update(experiments)
      .set({ status: "stopped" })
      .where(eq(experiments.id, ids[1] as string));
    // Still served from isolate memory within the cache period (and, stale, while a background
    // refresh runs); past the staleness bound (5 periods) the next read waits for a fresh load.
    expect((await experimentFor(db, { tenantId: stack.tenantId, model }, t0 + 1))?.id).toBe(ids[1]);
    const later = t0 + 5 * EXPERIMENT_CACHE_MS + 1;
    expect((await experimentFor(db, { tenantId: stack.tenantId, model }, later))?.id).toBe(ids[0]);
    expect((await runningExperiments(db, later)).map((e) => e.id)).not.toContain(ids[1]);
  });
});
