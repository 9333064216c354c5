import { describe, expect, it } from "vitest";
import { isolateCached } from "../../../shared/routing/isolate-cache";

describe("isolateCached", () => {
  it("serves the loaded value until the TTL, then loads again", async () => {
    let loads = 0;
    const get = isolateCached(1000, async () => ++loads);
    expect(await get(0)).toBe(1);
    expect(await Promise.all([get(1), get(500), get(999)])).toEqual([1, 1, 1]);
    expect(await get(1000)).toBe(2);
    expect(loads).toBe(2);
  });

  it("never hands one caller's in-flight load to another (Workers' per-request I/O)", async () => {
    let loads = 0;
    const get = isolateCached(1000, async () => ++loads);
    expect((await Promise.all([get(0), get(0)])).sort()).toEqual([1, 2]);
    expect(loads).toBe(2);
  });

  it("serves the stale value when a reload fails, and retries after retryMs", async () => {
    let fail = false;
    let loads = 0;
    const get = isolateCached(
      1000,
      async () => {
        loads++;
        if (fail) throw new Error("postgres down");
        return `v${loads}`;
      },
      100,
    );
    expect(await get(0)).toBe("v1");
    fail = true;
    expect(await get(1000)).toBe("v1");
    expect(await get(1099)).toBe("v1");
    expect(loads).toBe(2);
    fail = false;
    expect(await get(1100)).toBe("v3");
  });

  it("propagates the error when nothing was ever loaded", async () => {
    const get = isolateCached(1000, async () => {
      throw new Error("postgres down");
    });
    await expect(get(0)).rejects.toThrow("postgres down");
  });
});
