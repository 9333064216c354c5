import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, inject, it } from "vitest";
import { parseEnv } from "../../../shared/config/env";
import { recordArgs } from "../../../shared/resilience/breaker";
import { createRedis } from "../../../shared/storage/redis";
import { POSTFLIGHT_LUA, PREFLIGHT_LUA } from "../../../shared/traffic/lua";
import { type LimitCheck, type Preflight, windowKeys } from "../../../shared/traffic/plan";
import { trafficScripts } from "../../../shared/traffic/scripts";

const env = parseEnv(inject("stack").bindings);
const scripts = trafficScripts(env);
const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, automaticDeserialization: false });
const base = () => `${env.REDIS_KEY_PREFIX}traffic-test:${crypto.randomUUID()}`;

const limit = (over: Partial<LimitCheck> = {}): LimitCheck => ({
  scope: "key",
  kind: "requests",
  algorithm: "sliding",
  limit: 5,
  windowMs: 60_000,
  cost: 1,
  base: base(),
  ...over,
});

const plan = (over: Partial<Preflight> = {}): Preflight => ({ now: 1_800_000_030_000, deny: [], limits: [], ...over });

async function admitted(p: Preflight, n: number, step = 0): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await scripts.preflight({ ...p, now: p.now + i * step })).ok);
  return out;
}

describe.each(["sliding", "fixed", "bucket"] as const)("%s window", (algorithm) => {
  it("admits exactly the limit, then refuses with the remaining count and a reset time", async () => {
    const p = plan({ limits: [limit({ algorithm })] });
    expect(await admitted(p, 7)).toEqual([true, true, true, true, true, false, false]);
    const refused = await scripts.preflight(p);
    expect(refused).toMatchObject({ ok: false, reason: "limit", failed: { remaining: 0 } });
    expect(refused.failed?.resetAt).toBeGreaterThan(p.now);
  });

  it("admits exactly the limit out of 60 concurrent requests", async () => {
    const p = plan({ limits: [limit({ algorithm, limit: 20 })] });
    const results = await Promise.all(Array.from({ length: 60 }, () => scripts.preflight(p)));
    expect(results.filter((r) => r.ok)).toHaveLength(20);
    expect(results.filter((r) => !r.ok).every((r) => r.reason === "limit")).toBe(true);
  });
});

describe("preflight", () => {
  it("lets the sliding window's previous window count in proportion", async () => {
    const check = limit({ limit: 10 });
    const start = 1_800_000_000_000;
    expect(await admitted(plan({ now: start, limits: [check] }), 10)).toEqual(Array(10).fill(true));
    // Half-way into the next window, half of the previous 10 still count: 5 more fit.
    expect(await admitted(plan({ now: start + 90_000, limits: [check] }), 6)).toEqual([true, true, true, true, true, false]);
  });

  it("never exceeds the limit for a burst that crosses a window boundary", async () => {
    const check = limit({ limit: 50 });
    const boundary = 1_800_000_000_000;
    const before = await admitted(plan({ now: boundary - 1, limits: [check] }), 30);
    const after = await admitted(plan({ now: boundary + 1, limits: [check] }), 30);
    expect([...before, ...after].filter(Boolean)).toHaveLength(50);
  });

  it("refills a token bucket over time", async () => {
    const check = limit({ algorithm: "bucket", limit: 2, windowMs: 1000 });
    expect(await admitted(plan({ limits: [check] }), 3)).toEqual([true, true, false]);
    expect((await scripts.preflight(plan({ now: 1_800_000_030_000 + 500, limits: [check] }))).ok).toBe(true);
  });

  it("applies nothing when any check refuses (a refused request consumes no other limit)", async () => {
    const key = limit({ limit: 10 });
    const tenant = limit({ scope: "tenant", limit: 2 });
    expect(await admitted(plan({ limits: [key, tenant] }), 4)).toEqual([true, true, false, false]);
    const result = await scripts.preflight(plan({ limits: [key, tenant] }));
    expect(result.checks.map((c) => c.remaining)).toEqual([8, 0]);
  });

  it("serves a cache hit without reserving tokens or budget, still counting the request", async () => {
    const cacheKey = `${base()}:cache`;
    await redis.set(cacheKey, '{"entry":"raw text stays raw"}');
    const budgetKey = `${base()}:budget`;
    await redis.set(budgetKey, 0);
    const tokens = limit({ kind: "tokens", limit: 100, cost: 80 });
    const requests = limit({ limit: 3 });
    const p = plan({ cacheKey, limits: [requests, tokens], budget: { key: budgetKey, limitMicroUsd: 10, costMicroUsd: 50 } });
    const hit = await scripts.preflight(p);
    expect(hit).toMatchObject({ ok: true, reason: "", cached: '{"entry":"raw text stays raw"}' });
    expect(hit.checks.map((c) => c.remaining)).toEqual([3, 100]);
    expect(await redis.get(budgetKey)).toBe("0");
    expect((await scripts.preflight({ ...p, cacheKey: `${base()}:missing` })).reason).toBe("budget");
  });

  it("escrows budget: reserves the worst case, refuses past the limit, asks for the spend when unknown", async () => {
    const key = `${base()}:budget`;
    const p = plan({ budget: { key, limitMicroUsd: 1000, costMicroUsd: 400 } });
    expect(await scripts.preflight(p)).toMatchObject({ ok: false, reason: "budget_unknown" });
    await redis.set(key, 100);
    expect(await scripts.preflight(p)).toMatchObject({ ok: true, budgetSpent: 500 });
    expect(await scripts.preflight(p)).toMatchObject({ ok: true, budgetSpent: 900 });
    expect(await scripts.preflight(p)).toMatchObject({ ok: false, reason: "budget", budgetSpent: 900 });
  });

  it("caps in-flight requests and refuses denied keys", async () => {
    const inflight = { key: `${base()}:inflight`, max: 2, ttlSeconds: 60 };
    expect(await admitted(plan({ inflight }), 3)).toEqual([true, true, false]);
    await scripts.postflight({ tokens: [], inflightKey: inflight.key });
    expect((await scripts.preflight(plan({ inflight }))).ok).toBe(true);

    const denied = `${base()}:deny`;
    await redis.set(denied, 1);
    expect(await scripts.preflight(plan({ deny: [denied], limits: [limit()] }))).toEqual({
      ok: false,
      reason: "denied",
      checks: [],
      deploymentHashes: [],
    });
    // any entry of the list refuses, the last as well as the first; none consumes the limit
    const check = limit({ limit: 1 });
    expect((await scripts.preflight(plan({ deny: [`${base()}:deny`, denied], limits: [check] }))).reason).toBe("denied");
    expect((await scripts.preflight(plan({ deny: [`${base()}:deny`, `${base()}:deny`], limits: [check] }))).ok).toBe(true);
  });

  it("gives every counter it writes an expiry: a window's when it opens the window, a bucket's and the in-flight count's on every write", async () => {
    const sliding = limit({ windowMs: 10_000, limit: 100 });
    const fixed = limit({ algorithm: "fixed", kind: "tokens", windowMs: 20_000, limit: 1000, cost: 7 });
    const bucket = limit({ algorithm: "bucket", windowMs: 30_000, limit: 100 });
    const inflight = { key: `${base()}:inflight`, max: 10, ttlSeconds: 90 };
    const p = plan({ limits: [sliding, fixed, bucket], inflight });
    const [s, f] = [windowKeys(sliding, p.now)[0], windowKeys(fixed, p.now)[0]];
    expect((await scripts.preflight(p)).ok).toBe(true);
    const ttls = async () => Promise.all([s, f, bucket.base].map((k) => redis.pttl(k)));
    const first = await ttls();
    expect(first[0]).toBeGreaterThan(15_000);
    expect(first[0]).toBeLessThanOrEqual(20_000);
    expect(first[1]).toBeGreaterThan(35_000);
    expect(first[1]).toBeLessThanOrEqual(40_000);
    expect(first[2]).toBeGreaterThan(55_000);
    expect(first[2]).toBeLessThanOrEqual(60_000);
    expect(await redis.ttl(inflight.key)).toBe(90);

    // A later request in the same windows counts on, and every key keeps an expiry.
    await redis.pexpire(s, 12_000);
    await redis.pexpire(bucket.base, 12_000);
    await redis.expire(inflight.key, 12);
    expect((await scripts.preflight({ ...p, now: p.now + 1 })).ok).toBe(true);
    expect(await redis.get(s)).toBe("2");
    expect(await redis.get(f)).toBe("14");
    const later = await ttls();
    expect(later[0]).toBeGreaterThan(0);
    expect(later[0]).toBeLessThanOrEqual(12_000); // the window's expiry was set when it opened
    expect(later[2]).toBeGreaterThan(55_000); // the bucket's is renewed
    expect(await redis.ttl(inflight.key)).toBe(90); // and so is the in-flight count's
  });
});

describe("deployment state", () => {
  it("is read in the same round trip when admitted (absent hashes read as empty)", async () => {
    const [a, b] = [`${base()}:dep-a`, `${base()}:dep-b`];
    await redis.hset(a, { state: "open", openUntil: "123" });
    const result = await scripts.preflight(plan({ limits: [limit()], deploymentKeys: [a, b] }));
    expect(result.deploymentHashes).toEqual([["state", "open", "openUntil", "123"], []]);
  });
});

describe("postflight", () => {
  it("settles token reservations and budget with real usage, releases in-flight, writes cache and the usage event", async () => {
    const tokens = limit({ kind: "tokens", limit: 1000, cost: 600, algorithm: "fixed" });
    const budget = { key: `${base()}:budget`, limitMicroUsd: 10_000, costMicroUsd: 900 };
    const inflight = { key: `${base()}:inflight`, max: 5, ttlSeconds: 60 };
    await redis.set(budget.key, 0);
    const pre = await scripts.preflight(plan({ limits: [tokens], budget, inflight }));
    const tokenKey = pre.checks[0]?.key ?? "";
    const cacheKey = `${base()}:cache`;
    const stream = `${base()}:usage`;
    const result = await scripts.postflight({
      tokens: [{ key: tokenKey, delta: 120 - 600, bucket: false }],
      budget: { key: budget.key, deltaMicroUsd: 250 - 900 },
      inflightKey: inflight.key,
      cache: { key: cacheKey, value: "sealed-entry", ttlSeconds: 30 },
      usage: { stream, event: '{"requestId":"r1"}' },
    });
    expect(result).toEqual({ budgetSpent: 250 });
    expect(await redis.get(tokenKey)).toBe("120");
    expect(await redis.exists(inflight.key)).toBe(0);
    expect(await redis.get(cacheKey)).toBe("sealed-entry");
    expect(await redis.ttl(cacheKey)).toBeGreaterThan(25);
    expect(Object.values(await createRedis(env).xrange(stream, "-", "+"))).toEqual([{ e: { requestId: "r1" } }]);
  });
});

describe("postflight batching", () => {
  const budgetStep = (key: string, deltaMicroUsd: number, stream: string) => ({
    tokens: [],
    budget: { key, deltaMicroUsd },
    usage: { stream, event: JSON.stringify({ requestId: `r${deltaMicroUsd}` }) },
  });

  it("settles concurrent requests in submission order, each answered with the spend after its own settlement", async () => {
    const key = `${base()}:budget`;
    const stream = `${base()}:usage`;
    await redis.set(key, 0);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => scripts.postflight(budgetStep(key, i + 1, stream))));
    // One pipeline, in order: the i-th settlement sees 1 + 2 + ... + (i + 1).
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => ({ budgetSpent: ((i + 1) * (i + 2)) / 2 })));
    const events = Object.values(await createRedis(env).xrange(stream, "-", "+")) as Array<{ e: { requestId: string } }>;
    expect(events.map((e) => e.e.requestId)).toEqual(Array.from({ length: 30 }, (_, i) => `r${i + 1}`));
  });

  it("runs each settlement exactly once when Redis has lost the script (NOSCRIPT, then EVAL)", async () => {
    const key = `${base()}:budget`;
    const stream = `${base()}:usage`;
    await redis.set(key, 0);
    const fresh = trafficScripts(env); // knows no SHA yet, like a new isolate
    await fresh.postflight(budgetStep(key, 1, stream));
    await redis.scriptFlush();
    const results = await Promise.all([2, 3, 4].map((d) => fresh.postflight(budgetStep(key, d, stream))));
    expect(results).toEqual([{ budgetSpent: 3 }, { budgetSpent: 6 }, { budgetSpent: 10 }]);
    expect(await redis.get(key)).toBe("10");
    expect(await redis.xlen(stream)).toBe(4);
  });

  it("lets a preflight take the waiting postflights along, ahead of itself: a slot just released is free for it", async () => {
    const inflight = { key: `${base()}:inflight`, max: 1, ttlSeconds: 60 };
    const fresh = trafficScripts(env, { windowMs: 300, maxItems: 50, maxSize: 1 << 20 });
    expect((await fresh.preflight(plan({ inflight }))).ok).toBe(true);
    const released = fresh.postflight({ tokens: [], inflightKey: inflight.key }); // would wait 300 ms to be sent
    expect((await fresh.preflight(plan({ inflight }))).ok).toBe(true);
    await expect(released).resolves.toEqual({});
    expect(await redis.get(inflight.key)).toBe("1");
  });

  it("runs ridden-along postflights once when Redis has lost both scripts", async () => {
    const key = `${base()}:budget`;
    const stream = `${base()}:usage`;
    await redis.set(key, 0);
    const fresh = trafficScripts(env, { windowMs: 300, maxItems: 50, maxSize: 1 << 20 });
    const first = fresh.postflight(budgetStep(key, 1, stream));
    expect((await fresh.preflight(plan({ limits: [limit()] }))).ok).toBe(true); // learns both SHAs
    await first;
    await redis.scriptFlush();
    const second = fresh.postflight(budgetStep(key, 2, stream));
    expect((await fresh.preflight(plan({ limits: [limit()] }))).ok).toBe(true);
    await expect(second).resolves.toEqual({ budgetSpent: 3 });
    expect(await redis.xlen(stream)).toBe(2);
  });

  it("fails only the settlement whose script errored; the others in its batch land", async () => {
    const key = `${base()}:budget`;
    const wrongType = `${base()}:a-hash`;
    const stream = `${base()}:usage`;
    await redis.set(key, 0);
    await redis.hset(wrongType, { tokens: "1" });
    const results = await Promise.allSettled([
      scripts.postflight(budgetStep(key, 5, stream)),
      // INCRBY on a hash: WRONGTYPE inside the script.
      scripts.postflight({ tokens: [{ key: wrongType, delta: 3, bucket: false }] }),
      scripts.postflight(budgetStep(key, 7, stream)),
    ]);
    expect(results[0]).toEqual({ status: "fulfilled", value: { budgetSpent: 5 } });
    expect(results[1]?.status === "rejected" && String(results[1].reason)).toMatch(/^Error: postflight failed: .*WRONGTYPE/);
    expect(results[2]).toEqual({ status: "fulfilled", value: { budgetSpent: 12 } });
  });
});

describe("postflight breaker record", () => {
  it("records the answering deployment's outcome in the same command", async () => {
    const key = `${base()}:dep`;
    await scripts.postflight({ tokens: [], breaker: { key, args: recordArgs("ok", 120, { now: 1_800_000_000_000, release: false }) } });
    const flat = (await redis.hgetall(key)) as unknown as string[];
    const fields = Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]])));
    expect(fields).toMatchObject({ state: "closed", ok: "1", fail: "0", consecutive: "0", ewma: "120.0" });
  });
});

describe("scripts", () => {
  it("are loaded under the SHA-1 of their text", async () => {
    for (const script of [PREFLIGHT_LUA, POSTFLIGHT_LUA]) {
      const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script));
      const sha = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      expect(await redis.scriptLoad(script)).toBe(sha);
      expect(await redis.scriptExists(sha)).toEqual([1]);
    }
  });
});
