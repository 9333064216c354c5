import { describe, expect, it } from "vitest";
import { gemini } from "../../../../shared/providers/gemini";
import type { UpstreamError } from "../../../../shared/providers/types";
import errors from "../../../fixtures/providers/gemini/errors.json";

const none = new Headers();

describe("gemini error mapping", () => {
  const cases: Array<[keyof typeof errors, number, Omit<UpstreamError, "status" | "message">]> = [
    ["invalid_argument", 400, { kind: "invalid_request" }],
    ["api_key_invalid", 400, { kind: "authentication" }],
    ["token_limit", 400, { kind: "context_length" }],
    ["failed_precondition", 400, { kind: "invalid_request" }],
    ["unauthenticated", 401, { kind: "authentication" }],
    ["permission_denied", 403, { kind: "permission" }],
    ["not_found", 404, { kind: "not_found" }],
    ["resource_exhausted", 429, { kind: "rate_limit", retryAfterMs: 12_000 }],
    ["internal", 500, { kind: "server" }],
    ["unavailable", 503, { kind: "overloaded" }],
    ["deadline_exceeded", 504, { kind: "timeout" }],
  ];

  it.each(cases)("%s (HTTP %i)", (name, status, expected) => {
    const body = errors[name];
    expect(gemini.error(status, body, none)).toEqual({ ...expected, status, message: body.error.message });
  });

  it("prefers a retry-after header over the RetryInfo detail", () => {
    expect(gemini.error(429, errors.resource_exhausted, new Headers({ "retry-after": "3" }))).toMatchObject({
      kind: "rate_limit",
      retryAfterMs: 3000,
    });
  });

  it("reads fractional retryDelay durations", () => {
    const body = {
      error: {
        code: 429,
        message: "slow down",
        status: "RESOURCE_EXHAUSTED",
        details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" }],
      },
    };
    expect(gemini.error(429, body, none)).toEqual({ kind: "rate_limit", status: 429, message: "slow down", retryAfterMs: 1500 });
  });

  it("unwraps the one-element array the streaming endpoints use", () => {
    expect(gemini.error(503, [errors.unavailable], none)).toEqual({
      kind: "overloaded",
      status: 503,
      message: "The model is overloaded. Please try again later.",
    });
  });

  it.each([
    [400, "invalid_request"],
    [401, "authentication"],
    [403, "permission"],
    [404, "not_found"],
    [408, "timeout"],
    [422, "invalid_request"],
    [429, "rate_limit"],
    [500, "server"],
    [502, "server"],
    [503, "overloaded"],
    [504, "timeout"],
  ] as const)("falls back to the HTTP status for a non-Google body (%i → %s)", (status, kind) => {
    expect(gemini.error(status, "<html>upstream proxy error</html>", none)).toEqual({
      kind,
      status,
      message: "<html>upstream proxy error</html>",
    });
  });

  it("says something useful when the body is empty", () => {
    expect(gemini.error(502, "", none)).toEqual({ kind: "server", status: 502, message: "HTTP 502" });
  });
});
