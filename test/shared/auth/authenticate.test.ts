import { describe, expect, inject, it } from "vitest";
import { authenticate, ISOLATE_TTL_MS, keyCacheKey, REFRESH_AHEAD_MS, REFRESH_GRACE_MS } from "../../../shared/auth/authenticate";
import { hashApiKey, newApiKey } from "../../../shared/auth/keys";
import { parseEnv } from "../../../shared/config/env";
import { withRequestScope } from "../../../shared/runtime/defer";
import type { KeyRecord } from "../../../shared/storage/postgres/api-keys";
import { createDb } from "../../../shared/storage/postgres/db";
import { createRedis } from "../../../shared/storage/redis";

const env = parseEnv(inject("stack").bindings);
const redis = createRedis(env);
const db = createDb(env);

const record = (over: Partial<KeyRecord> = {}): KeyRecord => ({
  id: crypto.randomUUID(),
  tenantId: crypto.randomUUID(),
  tenantStatus: "active",
  scopes: ["chat"],
  models: null,
  expiresAt: null,
  revokedAt: null,
  limits: {},
  tenant: {},
  ...over,
});

/** A key whose record sits in Redis (the gateway's cache of Postgres), and a way to overwrite it there. */
async function cachedKey(r: KeyRecord) {
  const key = newApiKey("test");
  const redisKey = keyCacheKey(env.REDIS_KEY_PREFIX, await hashApiKey(key));
  await redis.set(redisKey, r, { ex: 60 });
  return { key, overwrite: (next: KeyRecord) => redis.set(redisKey, next, { ex: 60 }) };
}

const at = (now: number) => ({ redis, db, keyPrefix: env.REDIS_KEY_PREFIX, now: () => now });
const outcome = (p: Promise<{ key: KeyRecord }>) =>
  p.then(
    ({ key }) => (key.revokedAt === null ? "active" : "revoked"),
    (err: { code?: string }) => err.code,
  );

describe("the isolate's key cache", () => {
  const t0 = 1_900_000_000_000;
  /** A key this isolate read at t0 as active, revoked in Redis since. */
  const readThenRevoked = async () => {
    const active = record();
    const { key, overwrite } = await cachedKey(active);
    await authenticate(at(t0), key);
    await overwrite({ ...active, revokedAt: t0 });
    return key;
  };

  it("serves a record for 1 s, then reads Redis again: a revocation bites", async () => {
    const active = record();
    const { key, overwrite } = await cachedKey(active);
    expect(await outcome(authenticate(at(t0), key))).toBe("active");
    await overwrite({ ...active, revokedAt: t0 });
    // before the refresh-ahead window: served from memory, nothing re-read
    expect(await outcome(authenticate(at(t0 + ISOLATE_TTL_MS - REFRESH_AHEAD_MS - 1), key))).toBe("active");
    expect(await outcome(authenticate(at(t0 + ISOLATE_TTL_MS), key))).toBe("invalid_api_key");
  });

  it("in its last quarter second a record is served and re-read after the response: a key in steady use never waits for Redis", async () => {
    const active = record();
    const { key, overwrite } = await cachedKey(active);
    expect(await outcome(authenticate(at(t0), key))).toBe("active");
    await overwrite({ ...active, revokedAt: t0 });
    /** One request in a request scope: its outcome once the handler returns, and its deferred work. */
    const request = async (now: number) => {
      const kept: Promise<unknown>[] = [];
      const result = await withRequestScope(
        (work) => kept.push(work),
        () => outcome(authenticate(at(now), key)),
      );
      return { result, after: Promise.all(kept), deferred: kept.length };
    };
    const ahead = t0 + ISOLATE_TTL_MS - REFRESH_AHEAD_MS;
    const first = await request(ahead);
    // answered from memory (the revocation is not seen yet), the re-read deferred past the response
    expect(first).toMatchObject({ result: "active", deferred: 1 });
    // a second request while the re-read is under way starts no other
    expect(await request(ahead + 10)).toMatchObject({ result: "active", deferred: 0 });
    await first.after;
    // the re-read landed: the revocation bites at once, from memory; Redis restored to active is not
    // read again until the re-read record's own second (from the request that asked for it) is up
    await overwrite(active);
    expect(await request(ahead + 20)).toMatchObject({ result: "invalid_api_key", deferred: 0 });
    expect(await request(t0 + ISOLATE_TTL_MS + 100)).toMatchObject({ result: "invalid_api_key", deferred: 0 });
    expect((await request(ahead + ISOLATE_TTL_MS)).result).toBe("active");
  });

  it("while one request refreshes an expired record, the others serve it for the grace instead of each reading Redis", async () => {
    const key = await readThenRevoked();
    const expired = t0 + ISOLATE_TTL_MS;
    // started together: the first one refreshes (and sees the revocation); the second does not read
    // Redis (it would see the revocation too) but serves the record it has
    const refresher = outcome(authenticate(at(expired), key));
    const rider = outcome(authenticate(at(expired + 10), key));
    expect(await Promise.all([refresher, rider])).toEqual(["invalid_api_key", "active"]);
    // the refresh landed: everyone sees it
    expect(await outcome(authenticate(at(expired + 20), key))).toBe("invalid_api_key");
  });

  it("serves a record at most the grace past its second: a refresh that never lands does not keep it alive", async () => {
    const key = await readThenRevoked();
    const expired = t0 + ISOLATE_TTL_MS;
    const refresher = outcome(authenticate(at(expired), key));
    // past the grace while the refresh is still in flight: this request reads Redis itself
    const late = outcome(authenticate(at(expired + REFRESH_GRACE_MS), key));
    expect(await Promise.all([refresher, late])).toEqual(["invalid_api_key", "invalid_api_key"]);
  });

  it("without a refresh under way, an expired record is never served", async () => {
    const key = await readThenRevoked();
    expect(await outcome(authenticate(at(t0 + ISOLATE_TTL_MS + 1), key))).toBe("invalid_api_key");
  });
});
