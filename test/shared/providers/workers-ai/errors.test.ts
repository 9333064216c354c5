import { describe, expect, it } from "vitest";
import { workersAi } from "../../../../shared/providers/workers-ai";
import { bindingError, statusOf } from "../../../../shared/providers/workers-ai/errors";

const none = new Headers();
const envelope = (code: number | null, message: string) => ({ errors: [{ code, message }] });

describe("workers-ai bindingError", () => {
  it("reads the code from the message, past class-name prefixes", () => {
    expect(bindingError(new Error("AiError: AiError: 3040: Capacity temporarily exceeded, please try again."))).toEqual({
      code: 3040,
      message: "3040: Capacity temporarily exceeded, please try again.",
    });
    expect(bindingError(new Error("InferenceUpstreamError: req 1234: 5007: No such model"))).toEqual({
      code: 5007,
      message: "req 1234: 5007: No such model",
    });
    expect(bindingError("boom")).toEqual({ message: "boom" });
    expect(bindingError(new Error("AiError: "))).toEqual({ message: "Workers AI call failed" });
  });

  it("gives the documented status, 500 for unknown codes", () => {
    expect([statusOf(3040), statusOf(3036), statusOf(5006), statusOf(3042), statusOf(undefined)]).toEqual([429, 429, 400, 404, 500]);
  });
});

describe("workers-ai error", () => {
  it.each([
    [429, 3040, "3040: Capacity temporarily exceeded", "overloaded"],
    [429, 3036, "3036: You have used up your daily free allocation of 10,000 neurons.", "rate_limit"],
    [400, 5006, "5006: Error: oneOf at '/' not met", "invalid_request"],
    [404, 3042, "3042: The model name is invalid", "not_found"],
    [403, 5016, "5016: User has not agreed to Llama3.2 model terms", "permission"],
    [408, 3007, "3007: Request timeout", "timeout"],
    [500, null, "Unexpected failure", "server"],
  ] as const)("maps HTTP %i with code %s (%s) to %s", (status, code, message, kind) => {
    expect(workersAi.error(status, envelope(code, message), none)).toEqual({ kind, status, message });
  });

  it("falls back on the status, then on the wording", () => {
    expect(workersAi.error(401, envelope(10000, "Authentication error"), none).kind).toBe("authentication");
    expect(workersAi.error(422, { error: "bad" }, none)).toEqual({ kind: "invalid_request", status: 422, message: "bad" });
    expect(workersAi.error(500, envelope(null, "Capacity temporarily exceeded"), none).kind).toBe("overloaded");
    expect(workersAi.error(400, envelope(null, "The input exceeds the model's context window"), none).kind).toBe("context_length");
    expect(workersAi.error(503, "Service Unavailable", none)).toEqual({ kind: "overloaded", status: 503, message: "Service Unavailable" });
    expect(workersAi.error(500, undefined, none)).toEqual({ kind: "server", status: 500, message: "HTTP 500" });
  });

  it("reads retry-after", () => {
    expect(workersAi.error(429, envelope(3040, "x"), new Headers({ "retry-after": "3" })).retryAfterMs).toBe(3000);
  });
});
