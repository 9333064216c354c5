import { describe, expect, it } from "vitest";
import { azure } from "../../../../shared/providers/azure";
import bodies from "../../../fixtures/providers/azure/errors.json";

const none = new Headers();

describe("azure error", () => {
  it("maps a prompt refused by the content filter to content_policy, naming the filters", () => {
    expect(azure.error(400, bodies.content_filter, none)).toEqual({
      kind: "content_policy",
      status: 400,
      message: `${bodies.content_filter.error.message} (filtered: jailbreak, violence)`,
    });
    expect(azure.error(400, bodies.content_filter_blocklist, none)).toEqual({
      kind: "content_policy",
      status: 400,
      message: `${bodies.content_filter_blocklist.error.message} (filtered: custom_blocklists)`,
    });
  });

  it("prefers a message innererror carries, and needs no innererror", () => {
    const inner = { code: "ResponsibleAIPolicyViolation", message: "Prompt blocked by the jailbreak shield" };
    expect(azure.error(400, { error: { code: "content_filter", message: "filtered", innererror: inner } }, none)).toEqual({
      kind: "content_policy",
      status: 400,
      message: "Prompt blocked by the jailbreak shield",
    });
    expect(azure.error(400, { error: { code: "content_filter", message: "The response was filtered" } }, none)).toEqual({
      kind: "content_policy",
      status: 400,
      message: "The response was filtered",
    });
  });

  it.each([
    [400, bodies.context_length, "context_length"],
    [401, bodies.unauthorized, "authentication"],
    [404, bodies.deployment_not_found, "not_found"],
    [429, bodies.rate_limit, "rate_limit"],
    [500, { error: { message: "The server had an error while processing your request." } }, "server"],
  ] as const)("classifies HTTP %i like OpenAI's errors (%#)", (status, body, kind) => {
    expect(azure.error(status, body, none)).toEqual({ kind, status, message: body.error.message });
  });

  it("reads retry-after-ms before retry-after", () => {
    const headers = new Headers({ "retry-after-ms": "6000", "retry-after": "7" });
    expect(azure.error(429, bodies.rate_limit, headers).retryAfterMs).toBe(6000);
  });

  it("keeps a text body's wording", () => {
    expect(azure.error(502, "Bad Gateway", none)).toEqual({ kind: "server", status: 502, message: "Bad Gateway" });
  });
});
