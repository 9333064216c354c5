import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../../shared/errors/gateway-error";
import { upstreamFailure } from "../../../shared/providers/upstream-failure";
import { type AttemptContext, type AttemptRecord, runAttempts } from "../../../shared/resilience/attempts";
import { seeded } from "../../helpers/workers/prng";

const serverError = () => upstreamFailure("p", { kind: "server", status: 500, message: "boom" });
const rateLimited = (retryAfterMs: number) => upstreamFailure("p", { kind: "rate_limit", status: 429, message: "slow", retryAfterMs });
const noSleep = async () => {};
const never = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));

/** Records the calls an attempt function receives. */
function spy<T>(impl: (candidate: string, ctx: AttemptContext) => Promise<T>) {
  const calls: { candidate: string; ctx: AttemptContext }[] = [];
  const attempt = (candidate: string, ctx: AttemptContext) => {
    calls.push({ candidate, ctx });
    return impl(candidate, ctx);
  };
  return { attempt, calls, trail: () => calls.map((c) => `${c.ctx.kind}:${c.candidate}`) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("runAttempts", () => {
  it("keeps ≥ 99.9% of 10,000 requests succeeding against a 50%-5xx primary, never over 3 attempts", async () => {
    const random = seeded(42);
    const attempt = async (candidate: string) => {
      if (candidate === "primary" && random() < 0.5) throw serverError();
      return candidate;
    };
    let ok = 0;
    let maxAttempts = 0;
    let recorded = 0;
    for (let i = 0; i < 10_000; i++) {
      try {
        const r = await runAttempts({ candidates: ["primary", "secondary"], attempt, sleep: noSleep, random, onAttempt: () => recorded++ });
        ok++;
        maxAttempts = Math.max(maxAttempts, r.attempts);
      } catch {}
    }
    expect(ok / 10_000).toBeGreaterThanOrEqual(0.999);
    expect(maxAttempts).toBeLessThanOrEqual(3);
    expect(recorded).toBeLessThanOrEqual(30_000);
  });

  it("retries a failing candidate once with backoff, then falls back", async () => {
    const s = spy(async (c) => {
      if (c === "a") throw serverError();
      return c;
    });
    const waits: number[] = [];
    const records: AttemptRecord<string>[] = [];
    const r = await runAttempts({
      candidates: ["a", "b"],
      attempt: s.attempt,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
      onAttempt: (rec) => records.push(rec),
    });
    expect(s.trail()).toEqual(["request:a", "retry:a", "fallback:b"]);
    expect(waits).toEqual([50]);
    expect(r).toMatchObject({ value: "b", winner: { candidate: "b", kind: "fallback", index: 2 }, attempts: 3 });
    expect(records.map((x) => [x.index, x.ok, x.failure])).toEqual([
      [0, false, "server"],
      [1, false, "server"],
      [2, true, undefined],
    ]);
  });

  it("never exceeds maxAttempts, whatever the number of candidates, and throws the last failure", async () => {
    let n = 0;
    const s = spy(async () => {
      throw new GatewayError("upstream_error", `failure ${++n}`);
    });
    await expect(runAttempts({ candidates: ["a", "b", "c", "d", "e"], attempt: s.attempt, sleep: noSleep })).rejects.toThrow("failure 3");
    expect(s.calls).toHaveLength(3);
    await expect(runAttempts({ candidates: ["a"], attempt: s.attempt, sleep: noSleep, policy: { maxAttempts: 5 } })).rejects.toThrow(
      "failure 5",
    );
    expect(s.trail().slice(3)).toEqual(["request:a", "retry:a"]);
  });

  it("hands client errors back at once, without retry or fallback", async () => {
    const err = upstreamFailure("p", { kind: "context_length", status: 400, message: "too long" });
    const s = spy(async () => {
      throw err;
    });
    await expect(runAttempts({ candidates: ["a", "b"], attempt: s.attempt, sleep: noSleep })).rejects.toBe(err);
    expect(s.trail()).toEqual(["request:a"]);
  });

  it("falls back on a content policy refusal without retrying the same model", async () => {
    const s = spy(async (c) => {
      if (c === "a") throw upstreamFailure("p", { kind: "content_policy", status: 400, message: "refused" });
      return c;
    });
    expect((await runAttempts({ candidates: ["a", "b"], attempt: s.attempt, sleep: noSleep })).value).toBe("b");
    expect(s.trail()).toEqual(["request:a", "fallback:b"]);
  });

  it("waits out a short Retry-After, but moves on at once past a long one", async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    let first = true;
    const short = spy(async (c) => {
      if (first) {
        first = false;
        throw rateLimited(700);
      }
      return c;
    });
    expect((await runAttempts({ candidates: ["a", "b"], attempt: short.attempt, sleep, random: () => 0 })).value).toBe("a");
    expect(waits).toEqual([700]);
    const long = spy(async (c) => {
      if (c === "a") throw rateLimited(20_000);
      return c;
    });
    expect((await runAttempts({ candidates: ["a", "b"], attempt: long.attempt, sleep })).value).toBe("b");
    expect(long.trail()).toEqual(["request:a", "fallback:b"]);
    expect(waits).toEqual([700]);
  });

  it("neither sleeps nor starts an attempt past the deadline", async () => {
    let t = 0;
    const now = () => t;
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    };
    const slow = spy(async () => {
      t += 600;
      throw serverError();
    });
    const err = await runAttempts({
      candidates: ["a", "b"],
      attempt: slow.attempt,
      now,
      sleep,
      random: () => 0.99,
      policy: { deadlineMs: 1000 },
    }).catch((e) => e);
    expect(slow.calls).toHaveLength(2);
    expect(t).toBe(1299);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: "upstream_timeout", cause: expect.objectContaining({ code: "upstream_error" }) });

    t = 0;
    const limited = spy(async () => {
      throw rateLimited(5000);
    });
    const last = await runAttempts({ candidates: ["a"], attempt: limited.attempt, now, sleep, policy: { deadlineMs: 1000 } }).catch(
      (e) => e,
    );
    expect(last).toMatchObject({ code: "upstream_rate_limited" });
    expect(limited.calls).toHaveLength(1);
    expect(sleeps).toEqual([99]);
  });

  it("fails an attempt without a first byte in time as a timeout and aborts its signal", async () => {
    const s = spy((c, { signal }) => (c === "a" ? never(signal) : Promise.resolve(c)));
    const records: AttemptRecord<string>[] = [];
    const r = await runAttempts({
      candidates: ["a", "b"],
      attempt: s.attempt,
      sleep: noSleep,
      policy: { firstByteTimeoutMs: 20 },
      onAttempt: (x) => records.push(x),
    });
    expect(r.winner).toEqual({ candidate: "b", kind: "fallback", index: 2 });
    expect(records.map((x) => x.failure)).toEqual(["timeout", "timeout", undefined]);
    expect(s.calls.slice(0, 2).every((c) => c.ctx.signal.aborted)).toBe(true);
    expect(records[0]?.error).toMatchObject({ code: "upstream_timeout" });
  });

  it("does not hedge an attempt that answers before the hedge delay", async () => {
    vi.useFakeTimers();
    const s = spy((c) => new Promise<string>((resolve) => setTimeout(() => resolve(c), 40)));
    const run = runAttempts({ candidates: ["a", "b"], attempt: s.attempt, policy: { hedgeAfterMs: 100 } });
    await vi.advanceTimersByTimeAsync(500);
    expect(await run).toMatchObject({ value: "a", attempts: 1 });
    expect(s.trail()).toEqual(["request:a"]);
  });

  it("hedges a slow attempt on the next candidate: the first answer wins, the loser is aborted", async () => {
    vi.useFakeTimers();
    const s = spy((c) => new Promise<string>((resolve) => setTimeout(() => resolve(c), c === "a" ? 1000 : 30)));
    const records: AttemptRecord<string>[] = [];
    const run = runAttempts({
      candidates: ["a", "b"],
      attempt: s.attempt,
      policy: { hedgeAfterMs: 100 },
      onAttempt: (x) => records.push(x),
    });
    await vi.advanceTimersByTimeAsync(131);
    expect(await run).toMatchObject({ value: "b", winner: { candidate: "b", kind: "hedge", index: 1 }, attempts: 2 });
    expect(s.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(s.calls[1]?.ctx.signal.aborted).toBe(false);
    expect(records.map((x) => [x.candidate, x.ok, x.failure])).toEqual([
      ["b", true, undefined],
      ["a", false, "aborted"],
    ]);
  });

  it("hedges on the same candidate when it is the only one, and lets the original win", async () => {
    vi.useFakeTimers();
    const s = spy((_, { kind }) => new Promise<string>((resolve) => setTimeout(() => resolve(kind), kind === "hedge" ? 500 : 150)));
    const run = runAttempts({ candidates: ["a"], attempt: s.attempt, policy: { hedgeAfterMs: 100 } });
    await vi.advanceTimersByTimeAsync(200);
    expect(await run).toMatchObject({ value: "request", attempts: 2 });
    expect(s.trail()).toEqual(["request:a", "hedge:a"]);
    expect(s.calls[1]?.ctx.signal.aborted).toBe(true);
  });

  it("stops everything when the client goes away, and keeps the winner tied to the client", async () => {
    const client = new AbortController();
    const s = spy((_, { signal }) => never(signal));
    const run = runAttempts({ candidates: ["a", "b"], attempt: s.attempt, signal: client.signal });
    await new Promise((r) => setTimeout(r, 5));
    client.abort(new DOMException("client gone", "AbortError"));
    await expect(run).rejects.toThrow("client gone");
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]?.ctx.signal.aborted).toBe(true);

    const sleeping = new AbortController();
    const failing = spy(async () => {
      throw serverError();
    });
    const slept = runAttempts({
      candidates: ["a"],
      attempt: failing.attempt,
      signal: sleeping.signal,
      sleep: (_, signal) => new Promise((r) => signal.addEventListener("abort", () => r(), { once: true })),
    });
    await new Promise((r) => setTimeout(r, 5));
    sleeping.abort();
    await expect(slept).rejects.toMatchObject({ name: "AbortError" });
    expect(failing.calls).toHaveLength(1);

    const later = new AbortController();
    const ok = spy(async (c) => c);
    await runAttempts({ candidates: ["a"], attempt: ok.attempt, signal: later.signal });
    expect(ok.calls[0]?.ctx.signal.aborted).toBe(false);
    later.abort();
    expect(ok.calls[0]?.ctx.signal.aborted).toBe(true);
  });

  it("release() unties the winner from the client: nothing of the request stays listening on its signal", async () => {
    const client = new AbortController();
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const signal = client.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((type: string, fn: EventListener, o?: boolean | { once?: boolean }) => {
      added.push(fn);
      add(type, fn, o);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((type: string, fn: EventListener) => {
      removed.push(fn);
      remove(type, fn);
    }) as typeof signal.removeEventListener;
    const ok = spy(async (c) => c);
    const r = await runAttempts({ candidates: ["a"], attempt: ok.attempt, signal });
    r.release();
    expect(new Set(removed)).toEqual(new Set(added));
    client.abort();
    expect(ok.calls[0]?.ctx.signal.aborted).toBe(false); // released: the finished answer is not aborted
  });

  it("survives a throwing onAttempt and rejects an empty candidate list", async () => {
    const r = await runAttempts({
      candidates: ["a"],
      attempt: async (c) => c,
      onAttempt: () => {
        throw new Error("metering bug");
      },
    });
    expect(r.value).toBe("a");
    await expect(runAttempts({ candidates: [], attempt: async () => 1 })).rejects.toMatchObject({ code: "upstream_unavailable" });
  });
});
