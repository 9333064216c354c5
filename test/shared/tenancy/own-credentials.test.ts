import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../shared/errors/gateway-error";
import type { AdminContext } from "../../../shared/tenancy/actor";
import { listTenantCredentials, putCredential, removeCredential } from "../../../shared/tenancy/credentials";
import { openCredential, sealCredential } from "../../../shared/tenancy/own-credentials";

const env = { ENCRYPTION_KEY: "k".repeat(32) };

describe("tenant credentials at rest", () => {
  it("seal → open gives the credential back, base URL included", async () => {
    const sealed = await sealCredential(env, "ten_a", "openai", { apiKey: "sk-1", baseUrl: "https://proxy.example/v1" });
    expect(await openCredential(env, "ten_a", "openai", sealed)).toEqual({ apiKey: "sk-1", baseUrl: "https://proxy.example/v1" });
  });

  it("refuses (config_error) another tenant's or provider's ciphertext, and a missing ENCRYPTION_KEY", async () => {
    const sealed = await sealCredential(env, "ten_a", "openai", { apiKey: "sk-1" });
    for (const attempt of [
      () => openCredential(env, "ten_b", "openai", sealed),
      () => openCredential(env, "ten_a", "groq", sealed),
      () => openCredential({}, "ten_a", "openai", sealed),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: "config_error", status: 500 });
    }
  });

  it("the BYOK admin operations answer config_error before touching any store when ENCRYPTION_KEY is missing", async () => {
    const ctx = { env: {}, actor: { kind: "admin" }, requestId: "req_x" } as unknown as AdminContext;
    for (const op of [
      () => putCredential(ctx, "ten_a", "mock", { apiKey: "sk-12345678" }),
      () => listTenantCredentials(ctx, "ten_a"),
      () => removeCredential(ctx, "ten_a", "mock"),
    ]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: "config_error", message: expect.stringContaining("ENCRYPTION_KEY") });
    }
  });
});
