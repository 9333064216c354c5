import { describe, expect, it } from "vitest";
import { gateway, stack, standInStats } from "../../helpers/workers/gateway";

const request = { model: "mock-small", messages: [{ role: "user", content: "Say hello to the chain test" }] };

describe("POST /v1/chat/completions (the chain: Worker → Redis, Postgres, mock upstream)", () => {
  it("relays the mock upstream's completion unchanged and names what answered", async () => {
    const before = await standInStats(stack().stats.mockUpstream);
    const res = await gateway("/v1/chat/completions", { method: "POST", json: request, key: stack().apiKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-edgeway-model")).toBe("mock/mock-small");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = await res.json();

    const direct = await fetch(`${stack().urls.mockUpstream}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer direct", "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    const expected = (await direct.json()) as Record<string, unknown>;
    expect(body).toEqual({ ...expected, id: expect.any(String), created: expect.any(Number) });
    const after = await standInStats(stack().stats.mockUpstream);
    expect(after.chat).toBe((before.chat ?? 0) + 2);
  });

  it("refuses a missing or unknown key with OpenAI's 401 and never reaches the upstream", async () => {
    const before = await standInStats(stack().stats.mockUpstream);
    for (const key of [undefined, "ew_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "sk-not-ours"]) {
      const res = await gateway("/v1/chat/completions", { method: "POST", json: request, key });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: {
          message: "Incorrect API key provided. You can find your Edgeway key in your dashboard or ask your admin.",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      });
    }
    expect((await standInStats(stack().stats.mockUpstream)).chat).toBe(before.chat);
  });

  it("accepts the key in x-api-key too", async () => {
    const res = await gateway("/v1/chat/completions", { method: "POST", json: request, headers: { "x-api-key": stack().apiKey } });
    expect(res.status).toBe(200);
  });

  it("answers 404 model_not_found for a model the registry does not have", async () => {
    const res = await gateway("/v1/chat/completions", { method: "POST", json: { ...request, model: "gpt-nope" }, key: stack().apiKey });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "The model `gpt-nope` does not exist or you do not have access to it.",
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
      },
    });
  });

  it("answers 400 for malformed JSON and for a body of the wrong shape", async () => {
    const malformed = await gateway("/v1/chat/completions", {
      method: "POST",
      body: '{"model": "mock-small", "messages": [',
      headers: { "content-type": "application/json" },
      key: stack().apiKey,
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");

    const wrong = await gateway("/v1/chat/completions", {
      method: "POST",
      json: { model: "mock-small", messages: [] },
      key: stack().apiKey,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: { message: expect.stringMatching(/^messages: /), type: "invalid_request_error", param: "messages", code: "invalid_request" },
    });
  });

  it("answers 413 request_too_large above MAX_BODY_BYTES", async () => {
    const huge = "x".repeat(16 * 1024 * 1024 + 1);
    const res = await gateway("/v1/chat/completions", {
      method: "POST",
      json: { ...request, messages: [{ role: "user", content: huge }] },
      key: stack().apiKey,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        message: "Request body exceeds the limit of 16777216 bytes",
        type: "invalid_request_error",
        param: null,
        code: "request_too_large",
      },
    });
  });
});
