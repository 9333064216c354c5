import { describe, expect, it } from "vitest";
import { secretsEqual } from "../../../shared/crypto/secrets-equal";

describe("secretsEqual", () => {
  it("is true only for the same string, whatever the lengths", async () => {
    expect(await secretsEqual("ewadm_token_value", "ewadm_token_value")).toBe(true);
    expect(await secretsEqual("ewadm_token_valuE", "ewadm_token_value")).toBe(false);
    expect(await secretsEqual("ewadm_token_valu", "ewadm_token_value")).toBe(false);
    expect(await secretsEqual("", "ewadm_token_value")).toBe(false);
    expect(await secretsEqual("ewadm_token_value_longer", "ewadm_token_value")).toBe(false);
  });
});
