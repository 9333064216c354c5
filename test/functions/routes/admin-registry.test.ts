import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../../../schema";
import { cachedRegistry, loadRegistry, resolveLogical } from "../../../shared/registry/resolve";
import { admin, expectJson, nonce, pollUntil, testDb } from "../../helpers/workers/admin";
import { stack } from "../../helpers/workers/gateway";

type Deployment = { id: string; provider: string; upstreamModel: string; region: string; weight: number; status: string; baseUrl: string };
type Version = { model: string; version: string; validatedAt: string | null; targets: { deploymentId: string }[]; strategy: string };
type Alias = { alias: string; version: string; previousVersion: string | null };
type Probe = { ok: boolean; results: { deploymentId: string; ok: boolean; status: number; error?: string }[] };
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string } };
type Logged = { deployment: string; path: string; body: { model?: string; messages?: unknown; max_tokens?: number } };

const euWest = () => `${stack().urls.mockUpstream}/d/eu-west/v1`;

/** A fresh deployment on the mock's `eu-west` deployment; the upstream model name marks its probes in the mock's log. */
async function newDeployment(extra: Record<string, unknown> = {}): Promise<Deployment> {
  const id = `dep-${nonce()}`;
  const json = {
    id,
    provider: "mock",
    upstreamModel: `mock-${nonce()}`,
    region: "eu-west",
    lat: 53.35,
    lon: -6.26,
    baseUrl: euWest(),
    ...extra,
  };
  return expectJson<Deployment>(await admin("/admin/deployments", { method: "POST", json }), 201);
}

const newVersion = async (model: string, version: string, deploymentIds: string[], extra: Record<string, unknown> = {}) =>
  expectJson<Version>(
    await admin(`/admin/models/${model}/versions`, {
      method: "POST",
      json: { version, targets: deploymentIds.map((deploymentId) => ({ deploymentId })), ...extra },
    }),
    201,
  );

const validate = (model: string, version: string) => admin(`/admin/models/${model}/versions/${version}/validate`, { method: "POST" });
const setAlias = (model: string, alias: string, version: string) =>
  admin(`/admin/models/${model}/aliases/${alias}`, { method: "PUT", json: { version } });
const rollback = (model: string, alias: string) => admin(`/admin/models/${model}/aliases/${alias}/rollback`, { method: "POST" });

async function mockLog(): Promise<Logged[]> {
  return ((await (await fetch(`${stack().urls.mockControl}/requests?limit=50`)).json()) as { requests: Logged[] }).requests;
}

const auditOf = async (targetIds: string[]) =>
  (await testDb().select().from(auditLog).where(inArray(auditLog.targetId, targetIds)).orderBy(auditLog.id)).map((r) => ({
    action: r.action,
    target: `${r.targetType}:${r.targetId}`,
    actor: r.actor,
    tenantId: r.tenantId,
  }));

describe("deployments", () => {
  it("creates, lists and changes a deployment, audited", async () => {
    const d = await newDeployment({ weight: 2, inputMicroUsdPerMTok: 100_000, options: { apiVersion: "x" } });
    expect(d).toMatchObject({ provider: "mock", region: "eu-west", weight: 2, status: "active", baseUrl: euWest(), lat: 53.35 });
    const { data } = await expectJson<{ data: Deployment[] }>(await admin("/admin/deployments"), 200);
    expect(data.find((x) => x.id === d.id)).toEqual(d);

    const changed = await expectJson<Deployment>(
      await admin(`/admin/deployments/${d.id}`, { method: "PATCH", json: { status: "disabled", weight: 5, baseUrl: null } }),
      200,
    );
    expect(changed).toMatchObject({ status: "disabled", weight: 5, baseUrl: null, upstreamModel: d.upstreamModel });
    expect(await expectJson(await admin(`/admin/deployments/${d.id}`, { method: "PATCH", json: { weight: 5 } }), 200)).toEqual(changed);
    expect(await auditOf([d.id])).toEqual([
      { action: "deployment.create", target: `deployment:${d.id}`, actor: "admin", tenantId: null },
      { action: "deployment.update", target: `deployment:${d.id}`, actor: "admin", tenantId: null },
    ]);
  });

  it("generates an id, and refuses a taken id (409), an unknown provider, half a coordinate or a bad base URL (400)", async () => {
    const d = await expectJson<Deployment>(
      await admin("/admin/deployments", { method: "POST", json: { provider: "mock", upstreamModel: "mock-small", region: "EU-West" } }),
      201,
    );
    expect(d.id).toMatch(/^dep_[0-9a-f]{20}$/);
    expect(d.region).toBe("eu-west");
    const taken = await expectJson<ErrorBody>(
      await admin("/admin/deployments", { method: "POST", json: { id: d.id, provider: "mock", upstreamModel: "x", region: "eu" } }),
      409,
    );
    expect(taken.error).toMatchObject({ code: "conflict", param: "id", type: "invalid_request_error" });
    for (const json of [
      { provider: "nope", upstreamModel: "x", region: "eu" },
      { provider: "mock", upstreamModel: "x", region: "eu", lat: 1 },
      { provider: "mock", upstreamModel: "x", region: "eu", baseUrl: "file:///etc/passwd" },
      { provider: "mock", upstreamModel: "x", region: "eu west" },
    ]) {
      expect((await admin("/admin/deployments", { method: "POST", json })).status, JSON.stringify(json)).toBe(400);
    }
    expect((await admin(`/admin/deployments/${d.id}`, { method: "PATCH", json: { lat: 10 } })).status).toBe(400);
    expect((await admin(`/admin/deployments/${d.id}`, { method: "PATCH", json: { provider: "openai" } })).status).toBe(400);
    expect((await admin(`/admin/deployments/dep-missing-${nonce()}`, { method: "PATCH", json: { weight: 1 } })).status).toBe(404);
  });
});

describe("versions, validation and aliases", () => {
  it("validates with a live probe, then promotes, and rolls back within 2 s everywhere; all audited", async () => {
    const model = `bot-${nonce()}`;
    const d = await newDeployment();
    const v1 = await newVersion(model, "1.0.0", [d.id], {
      params: { temperature: 0.2 },
      systemPrompt: "You are {{name}}.",
      metadata: { owner: "t" },
    });
    expect(v1).toMatchObject({ model, version: "1.0.0", validatedAt: null, strategy: "weighted", params: { temperature: 0.2 } });

    const refused = await expectJson<ErrorBody>(await setAlias(model, "stable", "1.0.0"), 400);
    expect(refused.error).toMatchObject({ code: "invalid_request", param: "version" });
    expect(refused.error.message).toContain("not validated");

    const validated = await expectJson<{ version: Version; probe: Probe }>(await validate(model, "1.0.0"), 200);
    expect(validated.version.validatedAt).not.toBeNull();
    expect(validated.probe).toMatchObject({ ok: true, results: [{ deploymentId: d.id, ok: true, status: 200 }] });
    const probe = (await mockLog()).find((r) => r.body.model === d.upstreamModel);
    expect(probe).toMatchObject({
      deployment: "eu-west",
      path: "/v1/chat/completions",
      body: { model: d.upstreamModel, messages: [{ role: "user", content: "ping" }], max_tokens: 1, temperature: 0.2 },
    });

    expect(await expectJson<Alias>(await setAlias(model, "stable", "1.0.0"), 200)).toMatchObject({
      version: "1.0.0",
      previousVersion: null,
    });
    await newVersion(model, "1.1.0", [d.id]);
    await expectJson(await validate(model, "1.1.0"), 200);
    expect(await expectJson<Alias>(await setAlias(model, "stable", "1.1.0"), 200)).toMatchObject({
      version: "1.1.0",
      previousVersion: "1.0.0",
    });

    const db = testDb();
    await pollUntil(async () => resolveLogical(await cachedRegistry(db), model)?.version.version === "1.1.0", 2000);
    const rolled = await expectJson<Alias>(await rollback(model, "stable"), 200);
    expect(rolled).toMatchObject({ alias: "stable", version: "1.0.0", previousVersion: "1.1.0" });
    const tookMs = await pollUntil(async () => resolveLogical(await cachedRegistry(db), model)?.version.version === "1.0.0", 2000, 20);
    expect(tookMs).toBeLessThan(2000);
    expect(resolveLogical(await loadRegistry(db), `${model}@stable`)?.deployments.map((x) => x.id)).toEqual([d.id]);

    const view = await expectJson<{ model: string; versions: Version[]; aliases: Alias[] }>(await admin(`/admin/models/${model}`), 200);
    expect(view.versions.map((v) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(view.aliases).toMatchObject([{ alias: "stable", version: "1.0.0", previousVersion: "1.1.0" }]);

    expect((await auditOf([`${model}@1.0.0`, `${model}@1.1.0`, `${model}@stable`])).map((a) => `${a.action} ${a.target}`)).toEqual([
      `version.create version:${model}@1.0.0`,
      `version.validate version:${model}@1.0.0`,
      `alias.set alias:${model}@stable`,
      `version.create version:${model}@1.1.0`,
      `version.validate version:${model}@1.1.0`,
      `alias.set alias:${model}@stable`,
      `alias.rollback alias:${model}@stable`,
    ]);
  });

  it("answers 502 with the probe's details when a target fails, and keeps the version unvalidated", async () => {
    const model = `bot-${nonce()}`;
    const [good, bad] = [await newDeployment(), await newDeployment({ upstreamModel: "mock-missing" })];
    await newVersion(model, "1.0.0", [good.id, bad.id]);
    const failed = await expectJson<ErrorBody & { probe: Probe }>(await validate(model, "1.0.0"), 502);
    expect(failed.error).toMatchObject({ code: "upstream_error", type: "upstream_error" });
    expect(failed.error.message).toContain(bad.id);
    expect(failed.probe.ok).toBe(false);
    expect(failed.probe.results).toEqual([
      expect.objectContaining({ deploymentId: good.id, ok: true, status: 200 }),
      expect.objectContaining({ deploymentId: bad.id, ok: false, status: 404 }),
    ]);
    expect((await setAlias(model, "canary", "1.0.0")).status).toBe(400);
    const view = await expectJson<{ versions: Version[] }>(await admin(`/admin/models/${model}`), 200);
    expect(view.versions[0]?.validatedAt).toBeNull();
  });

  it("fails the probe of a deployment the gateway cannot reach", async () => {
    const model = `bot-${nonce()}`;
    const d = await newDeployment({ baseUrl: "{env:EDGEWAY_UNSET_URL}/v1" });
    await newVersion(model, "1.0.0", [d.id]);
    const failed = await expectJson<{ probe: Probe }>(await validate(model, "1.0.0"), 502);
    expect(failed.probe.results[0]).toMatchObject({ ok: false, status: 0, error: expect.stringContaining("env variable") });
  });

  it("keeps versions immutable (409) and checks their targets", async () => {
    const model = `bot-${nonce()}`;
    const d = await newDeployment();
    await newVersion(model, "2.0.0-rc.1", [d.id]);
    const again = await admin(`/admin/models/${model}/versions`, {
      method: "POST",
      json: { version: "2.0.0-rc.1", targets: [{ deploymentId: d.id }] },
    });
    expect((await expectJson<ErrorBody>(again, 409)).error).toMatchObject({ code: "conflict", param: "version" });
    const missing = await admin(`/admin/models/${model}/versions`, {
      method: "POST",
      json: { version: "2.0.0", targets: [{ deploymentId: d.id }, { deploymentId: `nope-${nonce()}` }] },
    });
    expect((await expectJson<ErrorBody>(missing, 400)).error.param).toBe("targets[1].deploymentId");
    for (const json of [
      { version: "2.0", targets: [{ deploymentId: d.id }] },
      { version: "2.0.0", targets: [] },
      { version: "2.0.0", targets: [{ deploymentId: d.id }, { deploymentId: d.id }] },
      { version: "2.0.0", targets: [{ deploymentId: d.id }], strategy: "random" },
      { version: "2.0.0", targets: [{ deploymentId: d.id }], params: { model: "other" } },
    ]) {
      expect((await admin(`/admin/models/${model}/versions`, { method: "POST", json })).status, JSON.stringify(json)).toBe(400);
    }
  });

  it("answers 404 for unknown models, versions and aliases, and 400 for a rollback with nothing to return to", async () => {
    const model = `bot-${nonce()}`;
    expect((await admin(`/admin/models/${model}`)).status).toBe(404);
    expect((await validate(model, "1.0.0")).status).toBe(404);
    expect((await setAlias(model, "stable", "1.0.0")).status).toBe(404);
    expect((await rollback(model, "stable")).status).toBe(404);
    const d = await newDeployment();
    await newVersion(model, "1.0.0", [d.id]);
    await expectJson(await validate(model, "1.0.0"), 200);
    await expectJson(await setAlias(model, "latest", "1.0.0"), 200);
    expect((await expectJson<ErrorBody>(await rollback(model, "latest"), 400)).error.param).toBe("alias");
    expect((await setAlias(model, "Bad-Alias", "1.0.0")).status).toBe(400);
  });
});
