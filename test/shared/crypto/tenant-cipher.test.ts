import { describe, expect, it } from "vitest";
import { seal, unseal } from "../../../shared/crypto/tenant-cipher";

const secret = "0123456789abcdef0123456789abcdef-test";
const opts = { secret, tenantId: "ten_a", context: "provider:openai" };

describe("seal / unseal (AES-GCM under an HKDF key per tenant)", () => {
  it("round-trips, with a fresh IV each time", async () => {
    const a = await seal(opts, "sk-live-123");
    const b = await seal(opts, "sk-live-123");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(atob(a)).not.toContain("sk-live-123");
    expect(await unseal(opts, a)).toBe("sk-live-123");
    expect(await unseal(opts, b)).toBe("sk-live-123");
  });

  it("cannot be opened as another tenant's, for another context, or with another secret", async () => {
    const sealed = await seal(opts, "sk-live-123");
    expect(await unseal({ ...opts, tenantId: "ten_b" }, sealed)).toBeNull();
    expect(await unseal({ ...opts, context: "provider:anthropic" }, sealed)).toBeNull();
    expect(await unseal({ ...opts, secret: `${secret}-rotated` }, sealed)).toBeNull();
  });

  it("returns null for tampered, truncated or non-base64 input", async () => {
    const sealed = await seal(opts, "sk-live-123");
    const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    expect(await unseal(opts, btoa(String.fromCharCode(...bytes)))).toBeNull();
    expect(await unseal(opts, sealed.slice(0, 20))).toBeNull();
    expect(await unseal(opts, "%%%not base64%%%")).toBeNull();
  });
});
