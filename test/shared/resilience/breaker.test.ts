import { describe, expect, it } from "vitest";
import { breakerOutcome, deploymentKey, healthFromHash, isSelectable } from "../../../shared/resilience/breaker";

const now = 1_800_000_000_000;
const idle = { state: "closed", openUntil: 0, inflight: 0, ewmaMs: null, probeUntil: 0 };

describe("healthFromHash", () => {
  it.each([null, undefined, [], {}])("reads an absent hash (%j) as a healthy idle deployment", (fields) => {
    expect(healthFromHash(fields, now)).toEqual(idle);
  });

  it("reads HGETALL's flat array and its object form alike", () => {
    const flat = ["state", "closed", "inflight", "3", "ewma", "412.5", "ok", "7"];
    const expected = { ...idle, inflight: 3, ewmaMs: 412.5 };
    expect(healthFromHash(flat, now)).toEqual(expected);
    expect(healthFromHash({ state: "closed", inflight: 3, ewma: 412.5 }, now)).toEqual(expected);
  });

  it("reads an open breaker as half-open once its cooldown has passed", () => {
    const open = { state: "open", openUntil: String(now + 1000), probe: String(now + 500) };
    expect(healthFromHash(open, now)).toMatchObject({ state: "open", openUntil: now + 1000 });
    expect(healthFromHash(open, now + 1000)).toMatchObject({ state: "half-open", probeUntil: now + 500 });
  });

  it("floors a negative in-flight count and ignores a garbled EWMA", () => {
    expect(healthFromHash({ inflight: "-2", ewma: "x" }, now)).toEqual(idle);
  });
});

describe("isSelectable", () => {
  it("admits closed, refuses open, and offers half-open only as a probe nobody else holds", () => {
    const open = healthFromHash({ state: "open", openUntil: now + 1000 }, now);
    expect(isSelectable(healthFromHash(null, now), now)).toBe("yes");
    expect(isSelectable(open, now)).toBe("no");
    expect(isSelectable(open, now + 1000)).toBe("probe");
    expect(isSelectable({ ...open, probeUntil: now + 3000 }, now + 2000)).toBe("no");
    expect(isSelectable({ ...open, probeUntil: now + 3000 }, now + 3000)).toBe("probe");
  });
});

describe("breakerOutcome", () => {
  it.each([
    [undefined, "ok"],
    ["server", "fail"],
    ["timeout", "fail"],
    ["unavailable", "fail"],
    ["rate_limit", "fail"],
    ["content_policy", "skip"],
    ["client", "skip"],
    ["aborted", "skip"],
  ] as const)("%s → %s", (failure, outcome) => expect(breakerOutcome(failure)).toBe(outcome));
});

it("keys a deployment's hash under the prefix", () => {
  expect(deploymentKey("ew:", "dep_1")).toBe("ew:dep:dep_1");
});
