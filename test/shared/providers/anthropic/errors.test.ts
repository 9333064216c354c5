import { describe, expect, it } from "vitest";
import { anthropic } from "../../../../shared/providers/anthropic";
import type { UpstreamErrorKind } from "../../../../shared/providers/types";
import bodies from "../../../fixtures/providers/anthropic/errors.json";

const none = new Headers();

describe("anthropic error", () => {
  it.each([
    [400, bodies.invalid_request, "invalid_request"],
    [400, bodies.prompt_too_long, "context_length"],
    [401, bodies.authentication, "authentication"],
    [402, bodies.billing, "permission"],
    [403, bodies.permission, "permission"],
    [404, bodies.not_found, "not_found"],
    [413, bodies.request_too_large, "invalid_request"],
    [429, bodies.rate_limit, "rate_limit"],
    [500, bodies.api_error, "server"],
    [504, bodies.timeout, "timeout"],
    [529, bodies.overloaded, "overloaded"],
  ] as Array<[number, { error: { message: string } }, UpstreamErrorKind]>)(
    "maps HTTP %i %j to %s with Anthropic's message",
    (status, body, kind) => {
      expect(anthropic.error(status, body, none)).toEqual({ kind, status, message: body.error.message });
    },
  );

  it("treats the other context-limit wording as context_length too", () => {
    const body = {
      type: "error",
      error: {
        type: "invalid_request_error",
        message:
          "input length and `max_tokens` exceed context limit: 197202 + 21333 > 200000, decrease input length or `max_tokens` and try again",
      },
    };
    expect(anthropic.error(400, body, none).kind).toBe("context_length");
  });

  it("reads retry-after (seconds) into retryAfterMs", () => {
    expect(anthropic.error(429, bodies.rate_limit, new Headers({ "retry-after": "12" }))).toEqual({
      kind: "rate_limit",
      status: 429,
      message: bodies.rate_limit.error.message,
      retryAfterMs: 12_000,
    });
    expect(anthropic.error(529, bodies.overloaded, new Headers({ "retry-after": "1" })).retryAfterMs).toBe(1000);
  });

  it.each([
    [400, "", "invalid_request", "Anthropic answered HTTP 400"],
    [401, { message: "no" }, "authentication", "Anthropic answered HTTP 401"],
    [408, null, "timeout", "Anthropic answered HTTP 408"],
    [413, "<html><body>413 Request Entity Too Large</body></html>", "invalid_request", "Anthropic answered HTTP 413"],
    [429, "Too many requests", "rate_limit", "Too many requests"],
    [502, "upstream connect error", "server", "upstream connect error"],
    [503, "", "overloaded", "Anthropic answered HTTP 503"],
    [504, "", "timeout", "Anthropic answered HTTP 504"],
    [529, "", "overloaded", "Anthropic answered HTTP 529"],
    [418, "", "invalid_request", "Anthropic answered HTTP 418"],
    [599, "", "server", "Anthropic answered HTTP 599"],
    [500, { type: "error", error: { type: "brand_new_error", message: "New" } }, "server", "New"],
  ] as Array<[number, unknown, UpstreamErrorKind, string]>)(
    "falls back on the status for HTTP %i body %j",
    (status, body, kind, message) => {
      expect(anthropic.error(status, body, none)).toEqual({ kind, status, message });
    },
  );

  it("never copies request headers (keys) into the message", () => {
    const headers = new Headers({ "x-api-key": "sk-ant-secret", "request-id": "req_1" });
    expect(JSON.stringify(anthropic.error(401, bodies.authentication, headers))).not.toContain("sk-ant-secret");
  });
});
