import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, type NewUsageEvent, usageEvents } from "../../../schema";
import { computeExperimentResults } from "../../../shared/experiments/results";
import { admin, expectJson, newKey, newTenant, nonce, testDb } from "../../helpers/workers/admin";

type Experiment = {
  id: string;
  tenantId: string | null;
  model: string;
  name: string;
  status: string;
  variants: Array<{ name: string; weight: number; stopped?: boolean; version?: string }>;
  guardrail: { maxErrorRateIncrease?: number; alpha?: number } | null;
  shadow: { version: string; percent: number } | null;
  createdAt: string;
  updatedAt: string;
  resultsAt: string | null;
};
type Results = {
  experimentId: string;
  computedAt: string | null;
  fresh: boolean;
  results: { control: string; variants: Array<{ name: string; requests: number; errors: number }> } | null;
};

// Models no other test calls: an experiment here must never change another test's traffic.
const body = (extra: Record<string, unknown> = {}) => ({
  model: `exp-admin-${nonce()}`,
  name: "new prompt",
  variants: [
    { name: "control", weight: 50 },
    { name: "candidate", weight: 50, version: "1.1.0", params: { temperature: 0.3 } },
  ],
  ...extra,
});
const create = async (json: Record<string, unknown>, key?: string) =>
  expectJson<Experiment>(await admin("/admin/experiments", { method: "POST", json, key }), 201);
const audit = async (targetId: string) =>
  (await testDb().select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(auditLog.id)).map((r) => ({
    action: r.action,
    actor: r.actor,
    tenantId: r.tenantId,
    before: r.before,
    after: r.after,
  }));
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string; param: string | null } }).error;

describe("admin experiments", () => {
  it("creates a running experiment on a tenant, gets and lists it, audited, without showing its salt", async () => {
    const tenant = await newTenant();
    const exp = await create(body({ tenantId: tenant.id, guardrail: { alpha: 0.05 }, shadow: { version: "2.0.0-rc.1", percent: 5 } }));
    expect(exp).toMatchObject({
      id: expect.stringMatching(/^exp_[0-9a-z]{20}$/),
      tenantId: tenant.id,
      name: "new prompt",
      status: "running",
      guardrail: { alpha: 0.05 },
      shadow: { version: "2.0.0-rc.1", percent: 5 },
      resultsAt: null,
    });
    expect(exp.variants[1]).toEqual({ name: "candidate", weight: 50, version: "1.1.0", params: { temperature: 0.3 } });
    expect(exp).not.toHaveProperty("salt");
    expect(await expectJson(await admin(`/admin/experiments/${exp.id}`), 200)).toEqual(exp);
    const listed = await expectJson<{ data: Experiment[] }>(await admin(`/admin/experiments?tenantId=${tenant.id}`), 200);
    expect(listed.data).toEqual([exp]);
    expect(await audit(exp.id)).toEqual([
      {
        action: "experiment.create",
        actor: "admin",
        tenantId: tenant.id,
        before: null,
        after: expect.objectContaining({ model: exp.model }),
      },
    ]);
    expect(JSON.stringify(await audit(exp.id))).not.toContain('"salt"');
  });

  it.each([
    ["one variant", { variants: [{ name: "only", weight: 1 }] }, "variants"],
    [
      "a zero weight",
      {
        variants: [
          { name: "a", weight: 1 },
          { name: "b", weight: 0 },
        ],
      },
      "variants[1].weight",
    ],
    [
      "duplicate names",
      {
        variants: [
          { name: "a", weight: 1 },
          { name: "a", weight: 1 },
        ],
      },
      "variants[1].name",
    ],
    [
      "a name unfit for a header",
      {
        variants: [
          { name: "a", weight: 1 },
          { name: "b c\n", weight: 1 },
        ],
      },
      "variants[1].name",
    ],
    ["a shadow over 100%", { shadow: { version: "x", percent: 101 } }, "shadow.percent"],
    ["an unknown field", { salt: "mine" }, null],
  ])("rejects %s (400)", async (_, extra, param) => {
    const tenant = await newTenant();
    const res = await admin("/admin/experiments", { method: "POST", json: body({ tenantId: tenant.id, ...extra }) });
    expect(res.status).toBe(400);
    const error = await errorCode(res);
    expect(error.code).toBe("invalid_request");
    if (param) expect(error.param).toBe(param);
  });

  it("changes weights, stops a variant and the experiment, each change audited with before and after", async () => {
    const tenant = await newTenant();
    const exp = await create(body({ tenantId: tenant.id }));
    const patch = (json: unknown) => admin(`/admin/experiments/${exp.id}`, { method: "PATCH", json });
    const changed = await expectJson<Experiment>(
      await patch({ variants: [{ name: "candidate", weight: 10, stopped: true }], guardrail: {} }),
      200,
    );
    expect(changed.variants).toEqual([exp.variants[0], { ...exp.variants[1], weight: 10, stopped: true }]);
    expect(changed.guardrail).toEqual({});
    const resumed = await expectJson<Experiment>(await patch({ variants: [{ name: "candidate", stopped: false }], shadow: null }), 200);
    expect(resumed.variants[1]).toEqual({ ...exp.variants[1], weight: 10 });
    expect((await patch({ variants: [{ name: "nope", weight: 1 }] })).status).toBe(400);
    const allStopped = await patch({
      variants: [
        { name: "control", stopped: true },
        { name: "candidate", stopped: true },
      ],
    });
    expect(allStopped.status).toBe(400);
    expect((await errorCode(allStopped)).param).toBe("variants");
    expect((await patch({ variants: [{ name: "candidate", weight: -1 }] })).status).toBe(400);
    expect((await expectJson<Experiment>(await patch({ status: "stopped" }), 200)).status).toBe("stopped");
    // Repeating a change changes nothing and audits nothing.
    await expectJson(await patch({ status: "stopped" }), 200);
    const rows = await audit(exp.id);
    expect(rows.map((r) => r.action)).toEqual(["experiment.create", "experiment.update", "experiment.update", "experiment.update"]);
    expect(rows[1]).toMatchObject({
      actor: "admin",
      before: { status: "running", variants: exp.variants, guardrail: null },
      after: { status: "running", variants: changed.variants, guardrail: {} },
    });
    expect(rows[3]).toMatchObject({ before: { status: "running" }, after: { status: "stopped" } });
  });

  it("allows one running experiment per model and tenant", async () => {
    const tenant = await newTenant();
    const first = await create(body({ tenantId: tenant.id }));
    const twin = await admin("/admin/experiments", { method: "POST", json: body({ tenantId: tenant.id, model: first.model }) });
    expect(twin.status).toBe(400);
    expect((await errorCode(twin)).param).toBe("model");
    const other = await newTenant();
    await create(body({ tenantId: other.id, model: first.model }));
    await expectJson(await admin(`/admin/experiments/${first.id}`, { method: "PATCH", json: { status: "stopped" } }), 200);
    const second = await create(body({ tenantId: tenant.id, model: first.model }));
    const restart = await admin(`/admin/experiments/${first.id}`, { method: "PATCH", json: { status: "running" } });
    expect(restart.status).toBe(400);
    expect(second.status).toBe("running");
  });

  it("shows stored results, or fresh ones with ?fresh=1", async () => {
    const tenant = await newTenant();
    const exp = await create(body({ tenantId: tenant.id }));
    const empty = await expectJson<Results>(await admin(`/admin/experiments/${exp.id}/results`), 200);
    expect(empty).toEqual({ experimentId: exp.id, computedAt: null, fresh: false, results: null });
    const events: NewUsageEvent[] = ["control", "control", "candidate"].map((variant, i) => ({
      requestId: `req_exp_admin_${exp.id}_${i}`,
      tenantId: tenant.id,
      endpoint: "chat",
      modelRequested: exp.model,
      experimentId: exp.id,
      variant,
      status: i === 1 ? 500 : 200,
      latencyMs: 100 * (i + 1),
      createdAt: new Date(),
    }));
    await testDb().insert(usageEvents).values(events);
    const fresh = await expectJson<Results>(await admin(`/admin/experiments/${exp.id}/results?fresh=1`), 200);
    expect(fresh.fresh).toBe(true);
    expect(fresh.results?.variants.map((v) => [v.name, v.requests, v.errors])).toEqual([
      ["control", 2, 1],
      ["candidate", 1, 0],
    ]);
    // ?fresh computes, it does not store.
    expect((await expectJson<Results>(await admin(`/admin/experiments/${exp.id}/results`), 200)).results).toBeNull();
    expect(await computeExperimentResults({ db: testDb() }, { ids: [exp.id] })).toMatchObject({ computed: 1, failed: 0 });
    const stored = await expectJson<Results>(await admin(`/admin/experiments/${exp.id}/results`), 200);
    expect(stored).toMatchObject({ fresh: false, computedAt: expect.any(String), results: { control: "control" } });
    expect(stored.results?.variants).toEqual(fresh.results?.variants);
    expect((await expectJson<Experiment>(await admin(`/admin/experiments/${exp.id}`), 200)).resultsAt).toBe(stored.computedAt);
    await testDb()
      .delete(usageEvents)
      .where(and(eq(usageEvents.experimentId, exp.id), eq(usageEvents.tenantId, tenant.id)));
  });
});

describe("admin experiments: isolation", () => {
  it("answers another tenant's experiment with 404 to a tenant admin key, as if it did not exist", async () => {
    const [mine, theirs] = [await newTenant(), await newTenant()];
    const myAdmin = await newKey(mine.id, { scopes: ["admin"] });
    const own = await create(body({ tenantId: mine.id }), myAdmin.key);
    const other = await create(body({ tenantId: theirs.id }));
    expect(await audit(own.id)).toMatchObject([{ action: "experiment.create", actor: `key:${myAdmin.id}` }]);
    for (const [path, method, json] of [
      [`/admin/experiments/${other.id}`, "GET", undefined],
      [`/admin/experiments/${other.id}`, "PATCH", { status: "stopped" }],
      [`/admin/experiments/${other.id}/results?fresh=1`, "GET", undefined],
      ["/admin/experiments/exp_doesnotexist", "GET", undefined],
      [`/admin/experiments?tenantId=${theirs.id}`, "GET", undefined],
      ["/admin/experiments", "POST", body({ tenantId: theirs.id })],
    ] as const) {
      const res = await admin(path, { method, json, key: myAdmin.key });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorCode(res)).code).toBe("not_found");
    }
    expect((await expectJson<Experiment>(await admin(`/admin/experiments/${other.id}`), 200)).status).toBe("running");
    const listed = await expectJson<{ data: Experiment[] }>(await admin("/admin/experiments", { key: myAdmin.key }), 200);
    expect(listed.data.map((e) => e.id)).toEqual([own.id]);
    const plain = await newKey(mine.id);
    expect((await admin(`/admin/experiments/${own.id}`, { key: plain.key })).status).toBe(403);
    expect((await admin(`/admin/experiments/${own.id}`, { key: "" })).status).toBe(401);
  });

  it("keeps global experiments to the admin token", async () => {
    const tenant = await newTenant();
    const tenantAdmin = await newKey(tenant.id, { scopes: ["admin"] });
    const denied = await admin("/admin/experiments", { method: "POST", json: body(), key: tenantAdmin.key });
    expect(denied.status).toBe(403);
    expect((await errorCode(denied)).code).toBe("permission_denied");
    const global = await create(body());
    expect(global.tenantId).toBeNull();
    expect(await audit(global.id)).toMatchObject([{ action: "experiment.create", actor: "admin", tenantId: null }]);
    expect((await admin(`/admin/experiments/${global.id}`, { key: tenantAdmin.key })).status).toBe(404);
    expect(
      (await admin(`/admin/experiments/${global.id}`, { method: "PATCH", json: { status: "stopped" }, key: tenantAdmin.key })).status,
    ).toBe(404);
    const all = await expectJson<{ data: Experiment[] }>(await admin("/admin/experiments"), 200);
    expect(all.data.map((e) => e.id)).toContain(global.id);
    await expectJson(await admin(`/admin/experiments/${global.id}`, { method: "PATCH", json: { status: "stopped" } }), 200);
  });
});

describe("admin experiments: OpenAPI", () => {
  it("documents the experiment routes and POST /v1/feedback", async () => {
    const doc = (await (await admin("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        "POST /admin/experiments",
        "GET /admin/experiments",
        "GET /admin/experiments/{id}",
        "PATCH /admin/experiments/{id}",
        "GET /admin/experiments/{id}/results",
        "POST /v1/feedback",
      ]),
    );
  });
});
