import { describe, expect, it } from "vitest";
import { isEstimated } from "../../../../shared/metering/estimate";
import type { EmbeddingsRequest } from "../../../../shared/openai/embeddings-request";
import { MalformedUpstreamResponse } from "../../../../shared/providers/malformed";
import type { ProviderAdapter, Target } from "../../../../shared/providers/types";
import { AdapterInputError, workersAi } from "../../../../shared/providers/workers-ai";
import fixture from "../../../fixtures/providers/workers-ai/embeddings.result.json";

const target: Target = { model: "@cf/baai/bge-base-en-v1.5", baseUrl: "workers-ai:", apiKey: "" };
const meta = { id: "emb-1", created: 1_700_000_000, model: "bge-alias" };
const body: EmbeddingsRequest = { model: "bge-alias", input: ["a", "b"] };
// Both are defined on this adapter; the ProviderAdapter type has them optional.
const adapter = workersAi as Required<ProviderAdapter>;
const request = (b: EmbeddingsRequest) => adapter.embeddingsRequest(b, target);
const respond = (json: unknown, b: EmbeddingsRequest = body) => adapter.embeddingsResponse(json, meta, b);

describe("workers-ai embeddingsRequest", () => {
  it("runs the model with {text}, a string as a string", () => {
    expect(request({ model: "m", input: "one" })).toEqual({
      url: "workers-ai://run/@cf/baai/bge-base-en-v1.5",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"text":"one"}',
    });
    expect(request(body).body).toBe('{"text":["a","b"]}');
  });

  it("rejects token arrays and dimensions", () => {
    expect(() => request({ model: "m", input: [1, 2] })).toThrow(AdapterInputError);
    expect(() => request({ model: "m", input: [[1], [2]] })).toThrow(expect.objectContaining({ param: "input" }));
    expect(() => request({ ...body, dimensions: 256 })).toThrow(expect.objectContaining({ param: "dimensions" }));
  });
});

describe("workers-ai embeddingsResponse", () => {
  it("counts usage locally when the model reports none, flagged estimated (a flag JSON rendering drops)", () => {
    const res = respond(fixture);
    expect(res.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(isEstimated(res.usage)).toBe(true);
    expect(JSON.stringify(res.usage)).toBe('{"prompt_tokens":2,"total_tokens":2}');
  });

  it("uses token counts when the model reports them", () => {
    const res = respond({ ...fixture, usage: { prompt_tokens: 12, total_tokens: 12 } });
    expect(res.usage).toEqual({ prompt_tokens: 12, total_tokens: 12 });
    expect(isEstimated(res.usage)).toBe(false);
  });

  it("encodes base64 as little-endian float32, as OpenAI does", () => {
    const res = respond(fixture, { ...body, encoding_format: "base64" });
    expect(res.data[0]?.embedding).toBe("AACAPwAAAMAAAAA/AAAAAA==");
    const decoded = Uint8Array.from(atob(res.data[1]?.embedding as string), (c) => c.charCodeAt(0));
    const view = new DataView(decoded.buffer);
    expect(Array.from({ length: 4 }, (_, i) => view.getFloat32(i * 4, true))).toEqual(fixture.data[1]?.map(Math.fround));
  });

  it("rejects a result without numeric vectors", () => {
    for (const json of [{ shape: [1, 2] }, { data: [["x"]] }, { data: [1, 2] }])
      expect(() => respond(json)).toThrow(MalformedUpstreamResponse);
  });
});
