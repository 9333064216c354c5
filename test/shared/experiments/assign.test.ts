import { describe, expect, it } from "vitest";
import type { Variant } from "../../../schema";
import { assignVariant, pickExperiment, shouldShadow, subjectOf, uniformHash } from "../../../shared/experiments/assign";

const salt = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const variants: Variant[] = [
  { name: "a", weight: 50 },
  { name: "b", weight: 30, version: "2.0.0" },
  { name: "c", weight: 20, params: { temperature: 0.2 } },
];
const experiment = { id: "exp_test", salt, variants };
const users = (n: number, prefix = "user") => Array.from({ length: n }, (_, i) => `${prefix}:${i}`);

async function shares(exp: typeof experiment, subjects: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const s of subjects) {
    const v = await assignVariant(exp, s);
    const name = v?.name ?? "none";
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / subjects.length]));
}

describe("uniformHash", () => {
  // Golden values from an independent implementation (Python hashlib):
  // int.from_bytes(sha256(s.encode()).digest()[:8], "big") >> 11) / 2**53
  it.each([
    ["user:alice", 0.03614694836766508],
    ["user:dave", 0.5099211576020836],
    ["user:carol", 0.9984681428523101],
    ["user:ünïcødé", 0.18536245725386347],
  ])("SHA-256 of salt:%s → %f, exactly", async (subject, expected) => {
    expect(await uniformHash(`${salt}:${subject}`)).toBe(expected);
  });
});

describe("assignVariant", () => {
  it("assigns by the cumulative weights, as an independent implementation does (stable across runtimes and restarts)", async () => {
    const expected = { "user:alice": "a", "user:bob": "a", "user:dave": "b", "user:erin": "b", "user:frank": "c", "user:carol": "c" };
    for (const [subject, name] of Object.entries(expected)) expect((await assignVariant(experiment, subject))?.name).toBe(name);
  });

  it("gives two independent instances (fresh state, experiment re-read from JSON) identical answers for 1,000 subjects", async () => {
    const subjects = users(1000);
    const first = await Promise.all(subjects.map((s) => assignVariant(structuredClone(experiment), s)));
    const second = [];
    for (const s of subjects) second.push(await assignVariant(JSON.parse(JSON.stringify(experiment)), s));
    expect(second.map((v) => v?.name)).toEqual(first.map((v) => v?.name));
    expect(new Set(first.map((v) => v?.name))).toEqual(new Set(["a", "b", "c"]));
  });

  it("splits 10,000 simulated users within ±2% of 50/30/20", async () => {
    const got = await shares(experiment, users(10_000));
    expect(Math.abs((got.a ?? 0) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs((got.b ?? 0) - 0.3)).toBeLessThan(0.02);
    expect(Math.abs((got.c ?? 0) - 0.2)).toBeLessThan(0.02);
  });

  it("scales with any weight unit (0.5/0.3/0.2 assigns exactly as 50/30/20)", async () => {
    const fractional = { ...experiment, variants: variants.map((v) => ({ ...v, weight: v.weight / 100 })) };
    for (const s of users(500)) expect((await assignVariant(fractional, s))?.name).toBe((await assignVariant(experiment, s))?.name);
  });

  it("differs between experiments (another salt re-shuffles users)", async () => {
    const other = { ...experiment, salt: "another-salt" };
    const subjects = users(1000);
    let same = 0;
    for (const s of subjects) if ((await assignVariant(other, s))?.name === (await assignVariant(experiment, s))?.name) same++;
    // Independent draws agree with probability .5² + .3² + .2² = 0.38.
    expect(same / subjects.length).toBeGreaterThan(0.33);
    expect(same / subjects.length).toBeLessThan(0.43);
  });

  it("sends a stopped variant's users to the control and moves nobody else", async () => {
    const stopped = { ...experiment, variants: variants.map((v) => (v.name === "b" ? { ...v, stopped: true } : v)) };
    const subjects = users(10_000);
    for (const s of subjects) {
      const before = (await assignVariant(experiment, s))?.name;
      const after = (await assignVariant(stopped, s))?.name;
      expect(after).toBe(before === "b" ? "a" : before);
    }
    const got = await shares(stopped, subjects);
    expect(Math.abs((got.a ?? 0) - 0.8)).toBeLessThan(0.02);
    expect(Math.abs((got.c ?? 0) - 0.2)).toBeLessThan(0.02);
    expect(got.b).toBeUndefined();
  });

  it("falls back to the first running variant when the control is stopped; null when nothing can take traffic", async () => {
    const noControl = { ...experiment, variants: variants.map((v) => (v.name === "a" ? { ...v, stopped: true } : v)) };
    const got = await shares(noControl, users(2000));
    expect(Object.keys(got).sort()).toEqual(["b", "c"]);
    expect(await assignVariant({ ...experiment, variants: variants.map((v) => ({ ...v, stopped: true })) }, "user:alice")).toBeNull();
    expect(await assignVariant({ ...experiment, variants: [] }, "user:alice")).toBeNull();
  });
});

describe("shouldShadow", () => {
  const withShadow = (percent: number) => ({ salt, shadow: { version: "3.0.0-rc.1", percent } });

  it("mirrors 10% of 10,000 users within ±2%, stickily, independently of the arm", async () => {
    const subjects = users(10_000);
    const perArm: Record<string, { n: number; shadowed: number }> = {};
    let shadowed = 0;
    for (const s of subjects) {
      const yes = await shouldShadow(withShadow(10), s);
      expect(await shouldShadow(withShadow(10), s)).toBe(yes);
      const arm = (await assignVariant(experiment, s))?.name ?? "none";
      perArm[arm] ??= { n: 0, shadowed: 0 };
      (perArm[arm] as { n: number; shadowed: number }).n++;
      if (yes) {
        shadowed++;
        (perArm[arm] as { n: number; shadowed: number }).shadowed++;
      }
    }
    expect(Math.abs(shadowed / subjects.length - 0.1)).toBeLessThan(0.02);
    for (const { n, shadowed: k } of Object.values(perArm)) expect(Math.abs(k / n - 0.1)).toBeLessThan(0.03);
  });

  it("uses its own hash (golden values from Python: shadow:salt:subject)", async () => {
    expect(await shouldShadow(withShadow(25), "user:dave")).toBe(true);
    expect(await shouldShadow(withShadow(25), "user:heidi")).toBe(true);
    expect(await shouldShadow(withShadow(25), "user:alice")).toBe(false);
  });

  it("never mirrors without a shadow or at 0%, always at 100%", async () => {
    expect(await shouldShadow({ salt, shadow: null }, "user:dave")).toBe(false);
    expect(await shouldShadow(withShadow(0), "user:dave")).toBe(false);
    for (const s of users(200)) expect(await shouldShadow(withShadow(100), s)).toBe(true);
  });
});

describe("pickExperiment and subjectOf", () => {
  const exp = (id: string, tenantId: string | null, model = "m", status: "running" | "stopped" = "running") => ({
    id,
    tenantId,
    model,
    status,
  });

  it("prefers the tenant's own running experiment on the model, else a global one", () => {
    const list = [exp("g1", null), exp("t-other", "ten_b"), exp("t-stopped", "ten_a", "m", "stopped"), exp("t1", "ten_a"), exp("g2", null)];
    expect(pickExperiment(list, { tenantId: "ten_a", model: "m" })?.id).toBe("t1");
    expect(pickExperiment(list, { tenantId: "ten_c", model: "m" })?.id).toBe("g1");
    expect(pickExperiment(list, { tenantId: "ten_a", model: "other" })).toBeNull();
    expect(pickExperiment([exp("s", null, "m", "stopped")], { tenantId: "ten_a", model: "m" })).toBeNull();
  });

  it("assigns by end user when there is one, else by key, without the two colliding", () => {
    expect(subjectOf({ user: "alice", keyId: "key_1" })).toBe("user:alice");
    expect(subjectOf({ user: undefined, keyId: "key_1" })).toBe("key:key_1");
    expect(subjectOf({ user: "", keyId: "key_1" })).toBe("key:key_1");
    expect(subjectOf({ user: "key_1", keyId: "key_2" })).not.toBe(subjectOf({ keyId: "key_1" }));
  });
});
