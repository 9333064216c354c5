import { eq, inArray } from "drizzle-orm";
import { afterEach, describe, expect, inject, it } from "vitest";
import { usageEvents } from "../../../schema";
import { parseEnv } from "../../../shared/config/env";
import { flushUsage } from "../../../shared/metering/flush";
import { recordUsage } from "../../../shared/metering/record";
import { USAGE_STREAM, type UsageEventJson } from "../../../shared/metering/usage-event";
import { createDb } from "../../../shared/storage/postgres/db";
import { createRedis } from "../../../shared/storage/redis";
import { trafficScripts } from "../../../shared/traffic/scripts";

const stack = inject("stack");
const env = parseEnv(stack.bindings);
const redis = createRedis(env);
const db = createDb(env);
const traffic = trafficScripts(env);
// A stream of this file's own, so concurrent tests flushing the shared stream cannot interfere.
const keyPrefix = `${env.REDIS_KEY_PREFIX}flush-test-${crypto.randomUUID()}:`;
const deps = { redis, db, keyPrefix, traffic };

const event = (requestId: string, promptTokens = 10): UsageEventJson => ({
  requestId,
  tenantId: stack.tenantId,
  keyId: stack.keyId,
  endpoint: "chat",
  modelRequested: "mock-small",
  provider: "mock",
  upstreamModel: "mock-small",
  streamed: false,
  promptTokens,
  completionTokens: 5,
  costMicroUsd: 4,
  status: 200,
  createdAt: "2026-01-02T03:04:05.678Z",
});

const ids: string[] = [];
const newId = () => {
  const id = `req_flush_${crypto.randomUUID()}`;
  ids.push(id);
  return id;
};

afterEach(async () => {
  if (ids.length) await db.delete(usageEvents).where(inArray(usageEvents.requestId, ids.splice(0)));
});

describe("usage buffer → Postgres", () => {
  it("moves buffered events to usage_events and empties the stream", async () => {
    const [a, b] = [newId(), newId()];
    expect(await recordUsage(deps, event(a, 11))).toEqual({ outcome: "buffered" });
    expect(await recordUsage(deps, event(b, 22))).toEqual({ outcome: "buffered" });
    expect(await flushUsage(deps)).toEqual({ read: 2, inserted: 2, batches: 1 });
    const rows = await db
      .select()
      .from(usageEvents)
      .where(inArray(usageEvents.requestId, [a, b]));
    expect(rows.map((r) => [r.requestId, r.promptTokens, r.createdAt.toISOString()]).sort()).toEqual(
      [
        [a, 11, "2026-01-02T03:04:05.678Z"],
        [b, 22, "2026-01-02T03:04:05.678Z"],
      ].sort(),
    );
    expect(await redis.xlen(`${keyPrefix}${USAGE_STREAM}`)).toBe(0);
  });

  it("never double-counts an event already inserted (crash between insert and delete, or racing flushes)", async () => {
    const id = newId();
    await recordUsage(deps, event(id));
    await recordUsage(deps, event(id));
    const [first, second] = await Promise.all([flushUsage(deps), flushUsage(deps)]);
    expect((first?.inserted ?? 0) + (second?.inserted ?? 0)).toBe(1);
    expect(await db.$count(usageEvents, eq(usageEvents.requestId, id))).toBe(1);
  });

  it("flushes in batches until the stream is empty", async () => {
    for (let i = 0; i < 7; i++) await recordUsage(deps, event(newId()));
    expect(await flushUsage(deps, { batchSize: 3 })).toEqual({ read: 7, inserted: 7, batches: 3 });
  });

  it("keeps the events in the stream when Postgres is unreachable, and flushes them later", async () => {
    const id = newId();
    await recordUsage(deps, event(id));
    const down = createDb({
      DATABASE_URL: env.DATABASE_URL.replace(/@[^/]+\//, "@127.0.0.1:1/"),
      NEON_HTTP_ENDPOINT: env.NEON_HTTP_ENDPOINT,
    });
    const failed = await flushUsage({ ...deps, db: down });
    expect(failed).toMatchObject({ read: 0, inserted: 0, batches: 0, error: expect.any(String) });
    expect(await redis.xlen(`${keyPrefix}${USAGE_STREAM}`)).toBe(1);
    expect(await flushUsage(deps)).toEqual({ read: 1, inserted: 1, batches: 1 });
  });

  it("writes straight to Postgres when Redis is unreachable", async () => {
    const id = newId();
    const broken = trafficScripts({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "x" });
    expect(await recordUsage({ ...deps, traffic: broken }, event(id))).toEqual({ outcome: "direct" });
    expect(await db.$count(usageEvents, eq(usageEvents.requestId, id))).toBe(1);
  });

  it("writes every event of a batched postflight that failed straight to Postgres, each once", async () => {
    const batch = [newId(), newId(), newId()];
    const broken = trafficScripts({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "x" });
    const results = await Promise.all(batch.map((id) => recordUsage({ ...deps, traffic: broken }, event(id))));
    expect(results).toEqual([{ outcome: "direct" }, { outcome: "direct" }, { outcome: "direct" }]);
    expect(await db.$count(usageEvents, inArray(usageEvents.requestId, batch))).toBe(3);
  });
});
