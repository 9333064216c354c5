import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { MockUpstream } from "../../local/mock-upstream/server";
import { adminCall, tenantWithKey } from "../helpers/node/admin";
import { type Gateway, startIsolatedGateway } from "../helpers/node/gateway";

const stack = inject("stack");
const started: Gateway[] = [];
afterAll(async () => {
  for (const g of started) await g.stop();
});

/** A gateway with its own mock and its own Redis key prefix: breaker state stays in the scenario. */
async function scenario(vars: Record<string, string> = {}) {
  const gw = (await startIsolatedGateway({
    REDIS_KEY_PREFIX: `${stack.bindings.REDIS_KEY_PREFIX}routing-${crypto.randomUUID()}:`,
    ...vars,
  })) as Gateway & {
    mock: MockUpstream;
  };
  started.push(gw);
  return gw;
}

const chat = (gw: Gateway, apiKey: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "support-bot", messages: [{ role: "user", content: `route me ${crypto.randomUUID()}` }], ...body }),
  });

const requestsTo = (mock: MockUpstream, deployment: string) => mock.stats()[`deployment:${deployment}:requests`] ?? 0;

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    return (await db.query<T>(sql, params)).rows;
  } finally {
    await db.end();
  }
}

describe("resilience", () => {
  it("keeps ≥ 99.9% success with the primary failing half its requests, never more than 3 attempts", async () => {
    const gw = await scenario();
    const { apiKey } = await tenantWithKey(gw.url);
    gw.mock.control.set({ failureRate: 0.5, failureStatus: 500, seed: 7 }, "eu-west");
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const res = await Promise.all(Array.from({ length: 50 }, () => chat(gw, apiKey)));
      statuses.push(...res.map((r) => r.status));
      await Promise.all(res.map((r) => r.body?.cancel()));
    }
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok / statuses.length).toBeGreaterThanOrEqual(0.999);
    const upstream = ["eu-west", "us-east", "default"].reduce((n, d) => n + requestsTo(gw.mock, d), 0);
    expect(upstream).toBeLessThanOrEqual(3 * statuses.length);
  });

  it("opens a dead deployment's breaker after its failures and moves traffic off it, bounding attempts", async () => {
    const gw = await scenario();
    const { apiKey } = await tenantWithKey(gw.url);
    gw.mock.control.set({ failureRate: 1, failureStatus: 503 }, "eu-west");
    const before = requestsTo(gw.mock, "eu-west");
    for (let i = 0; i < 12; i++) expect((await chat(gw, apiKey, {}, { "x-edgeway-user": "same" })).status).toBe(200);
    const afterOpen = requestsTo(gw.mock, "eu-west");
    expect(afterOpen - before).toBeLessThanOrEqual(6);
    for (let i = 0; i < 10; i++) {
      const res = await chat(gw, apiKey);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-edgeway-region")).toBe("us-east");
    }
    expect(requestsTo(gw.mock, "eu-west")).toBe(afterOpen);
  });

  it("meters every attempt under the client's request, which says how many there were", async () => {
    const gw = await scenario();
    const { apiKey } = await tenantWithKey(gw.url);
    gw.mock.control.set({ failNext: 1, failureStatus: 500 }, "*");
    const res = await chat(gw, apiKey, { model: "mock-small" });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id") as string;
    const deadline = Date.now() + 5000;
    let rows: Array<{ request_id: string; attempt_kind: string; attempts: number; status: number; parent_request_id: string | null }> = [];
    while (Date.now() < deadline && rows.length < 2) {
      await fetch(`${gw.url}/__scheduled?cron=*+*+*+*+*`);
      rows = await query(
        "select request_id, attempt_kind, attempts, status, parent_request_id from usage_events where request_id like $1 || '%' order by request_id",
        [requestId],
      );
    }
    expect(rows).toEqual([
      { request_id: requestId, attempt_kind: "request", attempts: 2, status: 200, parent_request_id: null },
      { request_id: `${requestId}.1`, attempt_kind: "first", attempts: 1, status: 502, parent_request_id: requestId },
    ]);
  });
});

describe("residency and geography", () => {
  it("never routes a residency-pinned tenant outside its region, even when that region is down (503 instead)", async () => {
    const gw = await scenario();
    const { apiKey, tenantId } = await tenantWithKey(gw.url);
    await adminCall(gw.url, `/admin/tenants/${tenantId}`, { method: "PATCH", json: { routing: { residency: "eu" } } });
    await new Promise((r) => setTimeout(r, 1100));
    const us = requestsTo(gw.mock, "us-east");
    const fine = await chat(gw, apiKey);
    expect(fine.status).toBe(200);
    expect(fine.headers.get("x-edgeway-region")).toBe("eu-west");
    gw.mock.control.set({ failureRate: 1, failureStatus: 503 }, "eu-west");
    gw.mock.control.set({ failureRate: 1, failureStatus: 503 }, "eu-west-large");
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await chat(gw, apiKey)).status);
    expect(statuses.every((s) => s === 503)).toBe(true);
    const last = await chat(gw, apiKey);
    expect(await last.json()).toEqual({
      error: {
        message: "No healthy deployment of `support-bot` is available inside this tenant's residency (eu). Retry later.",
        type: "upstream_error",
        param: null,
        code: "upstream_unavailable",
      },
    });
    expect(requestsTo(gw.mock, "us-east")).toBe(us);
  });

  it("prefers the nearest deployment (dev geo header)", async () => {
    const gw = await scenario({ ENVIRONMENT: "development" });
    const { apiKey } = await tenantWithKey(gw.url);
    const us = await chat(gw, apiKey, {}, { "x-edgeway-debug-geo": "country=US;continent=NA;lat=40.7;lon=-74.0" });
    const eu = await chat(gw, apiKey, {}, { "x-edgeway-debug-geo": "country=DE;continent=EU;lat=52.5;lon=13.4" });
    expect([us.headers.get("x-edgeway-region"), eu.headers.get("x-edgeway-region")]).toEqual(["us-east", "eu-west"]);
  });
});

describe("registry", () => {
  it("serves aliases and versions, and a rollback takes effect within 2 seconds", async () => {
    const gw = await scenario();
    const { apiKey } = await tenantWithKey(gw.url);
    const model = async (name: string) => (await chat(gw, apiKey, { model: name })).headers.get("x-edgeway-model");
    expect(await model("support-bot@1.1.0")).toBe("mock/mock-large");
    expect(await model("support-bot@canary")).toBe("mock/mock-large");
    const name = `bot-${crypto.randomUUID().slice(0, 8)}`;
    for (const version of ["1.0.0", "2.0.0"]) {
      await adminCall(
        gw.url,
        `/admin/models/${name}/versions`,
        { method: "POST", json: { version, targets: [{ deploymentId: version === "1.0.0" ? "dep_mock_eu" : "dep_mock_large_eu" }] } },
        201,
      );
      await adminCall(gw.url, `/admin/models/${name}/versions/${version}/validate`, { method: "POST" });
      await adminCall(gw.url, `/admin/models/${name}/aliases/stable`, { method: "PUT", json: { version } });
    }
    const deadline = (ms: number) => Date.now() + ms;
    let until = deadline(2000);
    while ((await model(name)) !== "mock/mock-large" && Date.now() < until);
    expect(await model(name)).toBe("mock/mock-large");
    const rolledBackAt = Date.now();
    await adminCall(gw.url, `/admin/models/${name}/aliases/stable/rollback`, { method: "POST" });
    until = deadline(2000);
    while ((await model(name)) !== "mock/mock-small" && Date.now() < until);
    expect(await model(name)).toBe("mock/mock-small");
    expect(Date.now() - rolledBackAt).toBeLessThan(2000);
  });
});

describe("experiments", () => {
  it("assigns the same variant on two separate Worker instances, mirrors shadow traffic and records it", async () => {
    const a = await scenario();
    const b = await scenario();
    const { apiKey, tenantId } = await tenantWithKey(a.url);
    const model = `exp-bot-${crypto.randomUUID().slice(0, 8)}`;
    await adminCall(
      a.url,
      `/admin/models/${model}/versions`,
      { method: "POST", json: { version: "1.0.0", targets: [{ deploymentId: "dep_mock_eu" }] } },
      201,
    );
    await adminCall(
      a.url,
      `/admin/models/${model}/versions`,
      { method: "POST", json: { version: "1.1.0", targets: [{ deploymentId: "dep_mock_large_eu" }] } },
      201,
    );
    await adminCall(a.url, `/admin/models/${model}/versions/1.0.0/validate`, { method: "POST" });
    await adminCall(a.url, `/admin/models/${model}/aliases/stable`, { method: "PUT", json: { version: "1.0.0" } });
    await adminCall(
      a.url,
      "/admin/experiments",
      {
        method: "POST",
        json: {
          tenantId,
          model,
          name: "bigger",
          variants: [
            { name: "control", weight: 50 },
            { name: "large", weight: 50, version: "1.1.0" },
          ],
          shadow: { version: "1.1.0", percent: 100 },
        },
      },
      201,
    );
    await new Promise((r) => setTimeout(r, 1100));
    const assignments: Array<[string | null, string | null]> = [];
    for (let i = 0; i < 30; i++) {
      const user = `user-${i}`;
      const [ra, rb] = [await chat(a, apiKey, { model, user }), await chat(b, apiKey, { model, user })];
      assignments.push([ra.headers.get("x-edgeway-variant"), rb.headers.get("x-edgeway-variant")]);
      if (i === 0) {
        const variant = ra.headers.get("x-edgeway-variant");
        expect(ra.headers.get("x-edgeway-model")).toBe(variant === "large" ? "mock/mock-large" : "mock/mock-small");
      }
    }
    expect(assignments.every(([x, y]) => x !== null && x === y)).toBe(true);
    expect(new Set(assignments.map(([x]) => x))).toEqual(new Set(["control", "large"]));

    const res = await chat(a, apiKey, { model, user: "shadowed" });
    const requestId = res.headers.get("x-request-id") as string;
    const until = Date.now() + 5000;
    let shadow: Array<{ attempt_kind: string; variant: string; upstream_model: string }> = [];
    while (Date.now() < until && shadow.length === 0) {
      await fetch(`${a.url}/__scheduled?cron=*+*+*+*+*`);
      shadow = await query("select attempt_kind, variant, upstream_model from usage_events where request_id = $1", [`${requestId}.shadow`]);
    }
    expect(shadow).toEqual([{ attempt_kind: "shadow", variant: "shadow:1.1.0", upstream_model: "mock-large" }]);
  });
});

describe("complexity router", () => {
  it("sends simple prompts to the cheaper model, honours the override header, and records why", async () => {
    const gw = await scenario();
    const { apiKey, tenantId } = await tenantWithKey(gw.url);
    await adminCall(gw.url, `/admin/tenants/${tenantId}`, {
      method: "PATCH",
      json: { routing: { complexity: { simpleModel: "mock-small" } } },
    });
    await new Promise((r) => setTimeout(r, 1100));
    const simple = await chat(gw, apiKey, { model: "mock-large", messages: [{ role: "user", content: "Hi there" }] });
    expect(simple.headers.get("x-edgeway-model")).toBe("mock/mock-small");
    const forced = await chat(
      gw,
      apiKey,
      { model: "mock-large", messages: [{ role: "user", content: "Hi there" }] },
      { "x-edgeway-route": "complex" },
    );
    expect(forced.headers.get("x-edgeway-model")).toBe("mock/mock-large");
    const code = await chat(gw, apiKey, {
      model: "mock-large",
      messages: [{ role: "user", content: "Fix this:\n```js\nconst x = 1\n```" }],
    });
    expect(code.headers.get("x-edgeway-model")).toBe("mock/mock-large");
  });
});
