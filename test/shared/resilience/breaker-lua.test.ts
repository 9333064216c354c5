import { Redis } from "@upstash/redis/cloudflare";
import { describe, expect, inject, it } from "vitest";
import { parseEnv } from "../../../shared/config/env";
import { GatewayError } from "../../../shared/errors/gateway-error";
import { runAttempts } from "../../../shared/resilience/attempts";
import {
  type BreakerConfig,
  breakerOutcome,
  breakerScripts,
  DEFAULT_BREAKER_CONFIG,
  deploymentKey,
  healthFromHash,
  isSelectable,
} from "../../../shared/resilience/breaker";
import { PROBE_LUA, RECORD_LUA } from "../../../shared/resilience/breaker-lua";

const env = parseEnv(inject("stack").bindings);
const breakers = breakerScripts(env);
const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, automaticDeserialization: false });
const key = () => deploymentKey(`${env.REDIS_KEY_PREFIX}breaker-test:`, crypto.randomUUID());
const t0 = 1_800_000_000_000;
const { cooldownMs } = DEFAULT_BREAKER_CONFIG;

/** Records outcomes one after another, `step` ms apart; returns the state after each. */
async function feed(k: string, outcomes: ("ok" | "fail")[], opts: { start?: number; step?: number; config?: Partial<BreakerConfig> } = {}) {
  const states: string[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const now = (opts.start ?? t0) + i * (opts.step ?? 1);
    states.push((await breakers.record(k, outcome, 100, { now, config: opts.config, release: false })).state);
  }
  return states;
}

const open = async (k: string) => (await feed(k, Array(5).fill("fail"))).at(-1);

describe("record", () => {
  it("opens after the configured consecutive failures, for the cooldown", async () => {
    const k = key();
    expect(await feed(k, ["fail", "fail", "fail", "fail", "fail"])).toEqual(["closed", "closed", "closed", "closed", "open"]);
    expect(healthFromHash(await redis.hgetall(k), t0 + 4)).toMatchObject({ state: "open", openUntil: t0 + 4 + cooldownMs });
    const other = key();
    expect(await feed(other, ["fail", "fail", "ok", "fail", "fail"], { config: { consecutiveFailures: 3 } })).toEqual(
      Array(5).fill("closed"),
    );
    expect((await feed(other, ["fail"], { start: t0 + 5, config: { consecutiveFailures: 3 } }))[0]).toBe("open");
  });

  it("opens on the failure rate once the window holds enough answers", async () => {
    const alternating = Array.from({ length: 10 }, (_, i): "ok" | "fail" => (i % 2 === 0 ? "ok" : "fail"));
    expect(await feed(key(), alternating)).toEqual([...Array(9).fill("closed"), "open"]);
    const healthier = [...alternating.slice(0, 9), "ok" as const];
    expect((await feed(key(), healthier)).at(-1)).toBe("closed");
    const spread = key();
    await feed(spread, alternating.slice(0, 9), { step: 1000 });
    expect((await feed(spread, ["fail"], { start: t0 + 30_000 })).at(-1)).toBe("closed");
  });

  it("turns half-open after the cooldown; the probe's success closes, its failure reopens", async () => {
    const k = key();
    await open(k);
    const opened = t0 + 4;
    expect(healthFromHash(await redis.hgetall(k), opened + cooldownMs - 1).state).toBe("open");
    expect(healthFromHash(await redis.hgetall(k), opened + cooldownMs).state).toBe("half-open");
    const straggler = await breakers.record(k, "ok", 100, { now: opened + 10, release: false });
    expect(straggler.state).toBe("open");

    const probeFails = await breakers.record(k, "fail", 100, { now: opened + cooldownMs + 5, release: false });
    expect(probeFails).toMatchObject({ state: "open", openUntil: opened + 2 * cooldownMs + 5 });
    const probeOk = await breakers.record(k, "ok", 100, { now: opened + 2 * cooldownMs + 5, release: false });
    expect(probeOk).toMatchObject({ state: "closed", openUntil: 0 });
    expect(await redis.hmget(k, "ok", "fail", "consecutive", "openUntil", "probe")).toEqual(["0", "0", "0", null, null]);
  });

  it("keeps a latency EWMA of successes and gives back in-flight slots, never below zero", async () => {
    const k = key();
    await redis.hset(k, { inflight: 2 });
    expect((await breakers.record(k, "ok", 100, { now: t0 })).ewmaMs).toBe(100);
    expect(await breakers.record(k, "ok", 200, { now: t0 + 1 })).toMatchObject({ ewmaMs: 120, inflight: 0 });
    expect(await breakers.record(k, "fail", 9000, { now: t0 + 2 })).toMatchObject({ ewmaMs: 120, inflight: 0 });
    expect(await redis.hget(k, "inflight")).toBe("0");
    await redis.hset(k, { inflight: 1 });
    expect((await breakers.record(k, "skip", 5, { now: t0 + 3, release: false })).inflight).toBe(1);
    expect(await redis.ttl(k)).toBeGreaterThan(86_000);
  });
});

describe("probe", () => {
  it("admits exactly one of 20 concurrent probes across isolates, until the lease expires", async () => {
    const k = key();
    await open(k);
    const halfOpen = t0 + 4 + cooldownMs;
    expect(await breakers.probe(k, halfOpen - 1)).toBe(false);
    const results = await Promise.all(Array.from({ length: 20 }, () => breakerScripts(env).probe(k, halfOpen, 5000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(healthFromHash(await redis.hgetall(k), halfOpen)).toMatchObject({ state: "half-open", probeUntil: halfOpen + 5000 });
    expect(await breakers.probe(k, halfOpen + 4999)).toBe(false);
    expect(await breakers.probe(k, halfOpen + 5000)).toBe(true);
  });

  it("frees the lease when the probe's answer says nothing about health, and lets any request through when closed", async () => {
    const k = key();
    await open(k);
    const halfOpen = t0 + 4 + cooldownMs;
    expect(await breakers.probe(k, halfOpen)).toBe(true);
    await breakers.record(k, "skip", 30, { now: halfOpen + 10, release: false });
    expect(await breakers.probe(k, halfOpen + 20)).toBe(true);
    expect(await breakers.probe(key(), t0)).toBe(true);
  });
});

describe("with the attempt loop", () => {
  it("opens a dead deployment's breaker after the configured failures and moves the next request away", async () => {
    const dead = key();
    const healthy = key();
    const trails: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const now = t0 + i * 100;
      const picked = [];
      for (const k of [dead, healthy]) if (isSelectable(healthFromHash(await redis.hgetall(k), now), now) === "yes") picked.push(k);
      const records: Promise<unknown>[] = [];
      const trail: string[] = [];
      await runAttempts({
        candidates: picked,
        sleep: async () => {},
        attempt: async (k) => {
          trail.push(k === dead ? "dead" : "healthy");
          if (k === dead) throw new GatewayError("upstream_error", "502 from upstream");
          return k;
        },
        onAttempt: (r) => records.push(breakers.record(r.candidate, breakerOutcome(r.failure), r.latencyMs, { now, release: false })),
      });
      await Promise.all(records);
      trails.push(trail);
    }
    expect(trails).toEqual([["dead", "dead", "healthy"], ["dead", "dead", "healthy"], ["dead", "dead", "healthy"], ["healthy"]]);
    expect(healthFromHash(await redis.hgetall(dead), t0 + 300).state).toBe("open");
  });
});

describe("scripts", () => {
  it("are loaded under the SHA-1 of their text", async () => {
    for (const script of [RECORD_LUA, PROBE_LUA]) {
      const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script));
      const sha = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      expect(await redis.scriptLoad(script)).toBe(sha);
      expect(await redis.scriptExists(sha)).toEqual([1]);
    }
  });
});
