import { describe, expect, it } from "vitest";
import { parseTenantSettings, TenantSettings } from "../../../shared/config/tenant";

describe("tenant settings", () => {
  it("accepts limits and a budget, and keeps settings it does not know", () => {
    expect(TenantSettings.parse({ limits: { rpm: 60 }, budget: { monthlyUsd: 12.5 }, pii: "redact" })).toEqual({
      limits: { rpm: 60 },
      budget: { monthlyUsd: 12.5 },
      pii: "redact",
    });
  });

  it("refuses non-positive or fractional limits and unknown limit fields", () => {
    for (const limits of [{ rpm: 0 }, { tpm: 1.5 }, { rpd: 5 }]) expect(TenantSettings.safeParse({ limits }).success).toBe(false);
    expect(TenantSettings.safeParse({ budget: { monthlyUsd: -1 } }).success).toBe(false);
  });

  it("reads a corrupt row leniently: the bad part is dropped, never thrown", () => {
    expect(parseTenantSettings({ limits: { rpm: "lots" }, budget: { monthlyUsd: 3 } })).toMatchObject({
      limits: undefined,
      budget: { monthlyUsd: 3 },
    });
    expect(parseTenantSettings(null)).toEqual({});
  });
});
