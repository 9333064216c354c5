import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { inOneMinute } from "../helpers/minute";
import { tenantWithKey } from "../helpers/node/admin";
import { type Gateway, startGateway, startIsolatedGateway } from "../helpers/node/gateway";

const gateways: Gateway[] = [];
let gw: Gateway;

beforeAll(async () => {
  // Three separate Worker instances sharing the run's Redis: limits must hold across all of them.
  gateways.push(await startIsolatedGateway(), await startGateway(), await startGateway());
  gw = gateways[0] as Gateway;
});
afterAll(async () => {
  for (const g of gateways) await g.stop();
});

const chat = (url: string, apiKey: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "mock-small", messages: [{ role: "user", content: "limit me" }], ...body }),
  });

describe("request limits", () => {
  it("admit exactly 50 of 200 simultaneous requests against 50/min, across three Worker instances", async () => {
    const { apiKey } = await tenantWithKey(gw.url, {}, { limits: { rpm: 50 } });
    await inOneMinute(15_000); // the burst takes 1-6 s: exact counts hold inside one window
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => chat((gateways[i % 3] as Gateway).url, apiKey)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    const refused = responses.find((r) => r.status === 429) as Response;
    const body = (await refused.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: "rate_limit_exceeded", type: "rate_limit_error" });
    expect(body.error.message).toMatch(
      /^Rate limit reached for key on requests per minute \(RPM\): Limit 50, Used 50, Requested 1\. Please try again in /,
    );
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("50");
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(refused.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+(\.\d+)?s|\d+ms)$/);
    await Promise.all(responses.filter((r) => !r.bodyUsed).map((r) => r.body?.cancel()));
  });

  it("sends OpenAI's rate-limit headers on every answer, the tightest of key and tenant", async () => {
    const { apiKey } = await tenantWithKey(gw.url, { limits: { rpm: 7, tpm: 100_000 } }, { limits: { rpm: 100 } });
    const first = await chat(gw.url, apiKey, { max_tokens: 10 });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("7");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("6");
    expect(first.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+(\.\d+)?s|\d+ms)$/);
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
    expect(Number(first.headers.get("x-ratelimit-remaining-tokens"))).toBeLessThan(100_000);
    const second = await chat(gw.url, apiKey);
    expect(second.headers.get("x-ratelimit-remaining-requests")).toBe("5");
  });

  it("limits an end user (the body's user, or x-edgeway-user) apart from the others", async () => {
    const { apiKey } = await tenantWithKey(gw.url, { traffic: { userLimits: { rpm: 2 } } });
    const as = (user: string) => chat(gw.url, apiKey, {}, { "x-edgeway-user": user });
    expect([(await as("ann")).status, (await as("ann")).status, (await as("ann")).status]).toEqual([200, 200, 429]);
    expect((await chat(gw.url, apiKey, { user: "ann" })).status).toBe(429);
    expect((await as("bob")).status).toBe(200);
  });
});

describe("token limits", () => {
  it("reserve an upper bound before the call and settle with the real usage after it", async () => {
    const { apiKey } = await tenantWithKey(gw.url, {}, { limits: { tpm: 3000 } });
    const big = { max_tokens: 2000 };
    expect((await chat(gw.url, apiKey, big)).status).toBe(200);
    // Once the first call settles (it used a few dozen tokens), a second 2000-token reservation fits.
    const deadline = Date.now() + 2000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) status = (await chat(gw.url, apiKey, big)).status;
    expect(status).toBe(200);
    const tooBig = await chat(gw.url, apiKey, { max_tokens: 5000 });
    expect(tooBig.status).toBe(429);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(/tokens per minute \(TPM\): Limit 3000/);
  });
});

describe("in-flight cap and deny list", () => {
  it("refuses a third concurrent request when the key allows two in flight", async () => {
    const isolated = gateways[0] as Gateway & { mock: import("../../local/mock-upstream/server").MockUpstream };
    const { apiKey } = await tenantWithKey(gw.url, {}, { limits: { maxInFlight: 2 } });
    isolated.mock.control.set({ latencyMs: 400 });
    try {
      const [a, b] = [chat(gw.url, apiKey), chat(gw.url, apiKey)];
      await new Promise((r) => setTimeout(r, 150));
      const third = await chat(gw.url, apiKey);
      expect(third.status).toBe(429);
      expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(/in flight/);
      expect([(await a).status, (await b).status]).toEqual([200, 200]);
    } finally {
      isolated.mock.control.set({ latencyMs: 0 });
    }
    expect((await chat(gw.url, apiKey)).status).toBe(200);
  });
});

describe("when Redis is unreachable", () => {
  it("serves without limits by default (fail open) and refuses a fail-closed tenant with 503", async () => {
    const open = await tenantWithKey(gw.url, {}, { limits: { rpm: 1 } });
    const closed = await tenantWithKey(gw.url, { traffic: { failClosed: true } });
    const broken = await startGateway({
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
      MOCK_BASE_URL: inject("stack").bindings.MOCK_BASE_URL as string,
    });
    gateways.push(broken);
    expect([(await chat(broken.url, open.apiKey)).status, (await chat(broken.url, open.apiKey)).status]).toEqual([200, 200]);
    const refused = await chat(broken.url, closed.apiKey);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: {
        message: "Limits cannot be checked right now and this tenant fails closed. Retry shortly.",
        type: "server_error",
        param: null,
        code: "service_unavailable",
      },
    });
  });
});
