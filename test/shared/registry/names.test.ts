import { describe, expect, it } from "vitest";
import { compareSemver, isSemver, parseModelName } from "../../../shared/registry/names";

describe("parseModelName", () => {
  it.each([
    ["support-bot", { model: "support-bot", ref: { alias: "stable" } }],
    ["support-bot@stable", { model: "support-bot", ref: { alias: "stable" } }],
    ["support-bot@canary", { model: "support-bot", ref: { alias: "canary" } }],
    ["support-bot@1.4.0", { model: "support-bot", ref: { version: "1.4.0" } }],
    ["support-bot@2.0.0-rc.1+build.7", { model: "support-bot", ref: { version: "2.0.0-rc.1+build.7" } }],
    ["gpt-4o-mini", { model: "gpt-4o-mini", ref: { alias: "stable" } }],
  ])("%s", (name, parsed) => {
    expect(parseModelName(name)).toEqual(parsed);
  });

  it.each([
    "support-bot@1.4",
    "support-bot@01.4.0",
    "support-bot@1.4.0.1",
    "support-bot@",
    "support-bot@Stable",
    "support-bot@can@ary",
    "@stable",
    "openai/gpt-4o",
    "",
  ])("refuses %j", (name) => {
    expect(parseModelName(name)).toBeNull();
  });
});

describe("semver", () => {
  it("validates", () => {
    expect(isSemver("0.0.1")).toBe(true);
    expect(isSemver("1.0.0-alpha.beta")).toBe(true);
    expect(isSemver("v1.0.0")).toBe(false);
    expect(isSemver("1.0.0-")).toBe(false);
  });

  it("orders by precedence (semver.org §11)", () => {
    const sorted = [
      "1.0.0",
      "1.0.0-rc.1",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-beta.11",
      "1.0.0-beta.2",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "0.9.9",
      "1.10.0",
      "1.2.0",
    ].sort(compareSemver);
    expect(sorted).toEqual([
      "0.9.9",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.2.0",
      "1.10.0",
    ]);
    expect(compareSemver("1.0.0+a", "1.0.0+b")).toBe(0);
  });
});
