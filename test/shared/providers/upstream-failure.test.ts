import { describe, expect, it } from "vitest";
import { toOpenAIError } from "../../../shared/errors/gateway-error";
import { upstreamFailure } from "../../../shared/providers/upstream-failure";

const auth = { kind: "authentication", status: 401, message: "Incorrect API key provided: sk-abc***xyz" } as const;
const perm = { kind: "permission", status: 403, message: "Key sk-abc lacks access" } as const;

describe("upstreamFailure: who owns the credential", () => {
  it("turns a rejection of the gateway's key into 502 upstream_error, without the upstream's wording", () => {
    const err = upstreamFailure("openai", auth);
    expect([err.status, toOpenAIError(err)]).toEqual([
      502,
      {
        error: {
          message: "Provider openai rejected the gateway's credentials",
          type: "upstream_error",
          param: null,
          code: "upstream_error",
        },
      },
    ]);
  });

  it("passes a rejection of the tenant's own key (BYOK) through as 401/403, still without the wording", () => {
    const denied = upstreamFailure("openai", auth, { ownKey: true });
    expect([denied.status, denied.code, denied.message]).toEqual([
      401,
      "invalid_api_key",
      "Provider openai rejected the tenant's own credentials (BYOK)",
    ]);
    const refused = upstreamFailure("openai", perm, { ownKey: true });
    expect([refused.status, refused.code]).toEqual([403, "permission_denied"]);
    expect(refused.message).not.toContain("sk-abc");
  });

  it("maps other kinds the same either way", () => {
    const limited = { kind: "rate_limit", status: 429, message: "slow down", retryAfterMs: 2000 } as const;
    expect(upstreamFailure("openai", limited, { ownKey: true })).toMatchObject({
      code: "upstream_rate_limited",
      status: 429,
      details: { retryAfterMs: 2000 },
    });
  });
});
