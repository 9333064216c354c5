import { describe, expect, it } from "vitest";
import { isolateCached } from "../../../shared/routing/isolate-cache";

/** A loader whose calls can be counted and whose answers are released by the test. */
function gatedLoader() {
  let loads = 0;
  let fail = false;
  const pending: Array<() => void> = [];
  const load = () =>
    new Promise<string>((resolve, reject) => {
      loads++;
      const n = loads;
      pending.push(() => (fail ? reject(new Error("postgres down")) : resolve(`v${n}`)));
    });
  return {
    load,
    release: async () => {
      for (const go of pending.splice(0)) go();
      await new Promise((r) => setTimeout(r, 0));
    },
    loads: () => loads,
    failNext: (v: boolean) => {
      fail = v;
    },
  };
}

describe("isolateCached", () => {
  it("serves a fresh value without loading", async () => {
    let loads = 0;
    const get = isolateCached(1000, async () => ++loads);
    expect(await get(0)).toBe(1);
    expect(await Promise.all([get(1), get(500), get(999)])).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
  });

  it("serves a stale value at once while one caller refreshes it in the background", async () => {
    const l = gatedLoader();
    const get = isolateCached(1000, l.load, { maxStaleMs: 5000 });
    const first = get(0);
    await l.release();
    expect(await first).toBe("v1");
    expect(await Promise.all([get(1500), get(1600), get(1700)])).toEqual(["v1", "v1", "v1"]);
    expect(l.loads()).toBe(2);
    await l.release();
    expect(await get(1800)).toBe("v2");
  });

  it("waits for a fresh load once the value is older than maxStaleMs", async () => {
    const l = gatedLoader();
    const get = isolateCached(1000, l.load, { maxStaleMs: 5000 });
    const first = get(0);
    await l.release();
    await first;
    const late = get(6000);
    await l.release();
    expect(await late).toBe("v2");
  });

  it("never hands one caller's in-flight load to another (Workers' per-request I/O)", async () => {
    let loads = 0;
    const get = isolateCached(1000, async () => ++loads);
    expect((await Promise.all([get(0), get(0)])).sort()).toEqual([1, 2]);
    expect(loads).toBe(2);
  });

  it("keeps serving the old value when reloads fail, and retries", async () => {
    const l = gatedLoader();
    const get = isolateCached(1000, l.load, { retryMs: 100, maxStaleMs: 5000 });
    const first = get(0);
    await l.release();
    await first;
    l.failNext(true);
    const late = get(6000);
    await l.release();
    expect(await late).toBe("v1");
    expect(await get(6050)).toBe("v1");
    expect(l.loads()).toBe(2);
  });

  it("propagates the error when nothing was ever loaded", async () => {
    const get = isolateCached(1000, async () => {
      throw new Error("postgres down");
    });
    await expect(get(0)).rejects.toThrow("postgres down");
  });
});
