import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { feedback, usageEvents } from "../../../schema";
import { admin, chat, expectJson, newKey, newTenant, nonce, pollUntil, testDb } from "../../helpers/workers/admin";
import { gateway } from "../../helpers/workers/gateway";

const rate = (key: string, json: unknown) => gateway("/v1/feedback", { method: "POST", json, key });
const stored = async (requestId: string) => (await testDb().select().from(feedback).where(eq(feedback.requestId, requestId)))[0];

/** A usage event of the tenant, as the flush would store it. */
async function servedRequest(tenantId: string): Promise<string> {
  const requestId = `req_fb_${nonce()}${nonce()}`;
  await testDb()
    .insert(usageEvents)
    .values({ requestId, tenantId, endpoint: "chat", modelRequested: "mock-small", status: 200, createdAt: new Date() });
  return requestId;
}

describe("POST /v1/feedback", () => {
  it("rates a served request by its x-request-id (201), and a second rating replaces the first", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    const res = await chat(key.key);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id") ?? "";
    await pollUntil(async () => {
      await admin("/admin/usage/flush", { method: "POST" });
      return (await testDb().$count(usageEvents, eq(usageEvents.requestId, requestId))) === 1;
    }, 5000);
    expect(await expectJson(await rate(key.key, { requestId, score: 0.5, comment: "good, a bit long" }), 201)).toEqual({
      requestId,
      score: 0.5,
    });
    expect(await stored(requestId)).toMatchObject({ tenantId: tenant.id, score: 0.5, comment: "good, a bit long" });
    expect(await expectJson(await rate(key.key, { requestId, score: false }), 201)).toEqual({ requestId, score: -1 });
    expect(await stored(requestId)).toMatchObject({ tenantId: tenant.id, score: -1, comment: null });
    expect(await expectJson(await rate(key.key, { requestId, score: true }), 201)).toEqual({ requestId, score: 1 });
    expect(await testDb().$count(feedback, eq(feedback.requestId, requestId))).toBe(1);
  });

  it.each([
    ["a score above 1", { score: 2 }, "score"],
    ["a score below -1", { score: -1.5 }, "score"],
    ["a string score", { score: "5" }, "score"],
    ["no score", { score: undefined }, "score"],
    ["no request id", { requestId: undefined }, "requestId"],
    ["an empty request id", { requestId: "" }, "requestId"],
    ["an unknown field", { stars: 5 }, null],
  ])("rejects %s with 400 in OpenAI's shape", async (_, patch, param) => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    const res = await rate(key.key, { requestId: await servedRequest(tenant.id), score: 1, ...patch });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; code: string; param: string | null; message: string } };
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_request" });
    if (param) expect(body.error.param).toBe(param);
  });

  it("rejects a body that is not JSON, and a missing key", async () => {
    const tenant = await newTenant();
    const key = await newKey(tenant.id);
    const res = await gateway("/v1/feedback", { method: "POST", body: "{", headers: { "content-type": "application/json" }, key: key.key });
    expect(res.status).toBe(400);
    expect((await rate("", { requestId: "req_x", score: 1 })).status).toBe(401);
  });

  it("cannot rate another tenant's request (404, as if it did not exist), nor replace its rating", async () => {
    const [owner, intruder] = [await newTenant(), await newTenant()];
    const [ownerKey, intruderKey] = [await newKey(owner.id), await newKey(intruder.id)];
    const requestId = await servedRequest(owner.id);
    await expectJson(await rate(ownerKey.key, { requestId, score: 1 }), 201);
    const res = await rate(intruderKey.key, { requestId, score: -1 });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string; param: string } }).error).toMatchObject({
      code: "not_found",
      param: "requestId",
    });
    expect(await stored(requestId)).toMatchObject({ tenantId: owner.id, score: 1 });
  });

  it("accepts a request not flushed yet under the caller's tenant; once flushed, its owner's rating wins and the other's stops", async () => {
    const [owner, early] = [await newTenant(), await newTenant()];
    const [ownerKey, earlyKey] = [await newKey(owner.id), await newKey(early.id)];
    const requestId = `req_fb_unflushed_${nonce()}`;
    await expectJson(await rate(earlyKey.key, { requestId, score: -1 }), 201);
    expect(await stored(requestId)).toMatchObject({ tenantId: early.id, score: -1 });
    await testDb()
      .insert(usageEvents)
      .values({ requestId, tenantId: owner.id, endpoint: "chat", modelRequested: "mock-small", status: 200, createdAt: new Date() });
    await expectJson(await rate(ownerKey.key, { requestId, score: 0.25 }), 201);
    expect(await stored(requestId)).toMatchObject({ tenantId: owner.id, score: 0.25 });
    expect((await rate(earlyKey.key, { requestId, score: -1 })).status).toBe(404);
    expect(await stored(requestId)).toMatchObject({ tenantId: owner.id, score: 0.25 });
  });

  it("does not let a tenant replace another's rating of a request not flushed yet", async () => {
    const [first, second] = [await newTenant(), await newTenant()];
    const [firstKey, secondKey] = [await newKey(first.id), await newKey(second.id)];
    const requestId = `req_fb_unflushed_${nonce()}`;
    await expectJson(await rate(firstKey.key, { requestId, score: 1 }), 201);
    expect((await rate(secondKey.key, { requestId, score: -1 })).status).toBe(404);
    expect(await stored(requestId)).toMatchObject({ tenantId: first.id, score: 1 });
  });
});
