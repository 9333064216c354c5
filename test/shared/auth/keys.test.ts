import { describe, expect, it } from "vitest";
import { displayPrefix, hashApiKey, looksLikeApiKey, newApiKey } from "../../../shared/auth/keys";

describe("api keys", () => {
  it("mints ew_<env>_<32 base62> keys that are all different", () => {
    const keys = Array.from({ length: 200 }, () => newApiKey("live"));
    for (const key of keys) expect(key).toMatch(/^ew_live_[A-Za-z0-9]{32}$/);
    expect(new Set(keys).size).toBe(200);
    expect(keys.every(looksLikeApiKey)).toBe(true);
  });

  it("rejects strings that are not keys before hashing", () => {
    for (const bad of ["", "sk-abc", "ew_dev_short", "ew__AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ew_dev_AAAAAAAAAAAAAAAAAAAAAAAA!"]) {
      expect(looksLikeApiKey(bad)).toBe(false);
    }
  });

  it("keeps only the env and four random characters for display", () => {
    expect(displayPrefix("ew_dev_AbCdEfGhIjKlMnOpQrStUvWxYz012345")).toBe("ew_dev_AbCd");
  });

  it("hashes with SHA-256 as lowercase hex", async () => {
    expect(await hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
