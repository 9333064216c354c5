import { describe, expect, it } from "vitest";
import { estimateTokens, isEstimated } from "../../../../shared/metering/estimate";
import type { EmbeddingsRequest } from "../../../../shared/openai/embeddings-request";
import { AdapterInputError, gemini } from "../../../../shared/providers/gemini";
import { embeddingsRequest, embeddingsResponse } from "../../../../shared/providers/gemini/embeddings";
import { MalformedUpstreamResponse } from "../../../../shared/providers/malformed";
import type { Target } from "../../../../shared/providers/types";
import fixture from "../../../fixtures/providers/gemini/embeddings.response.json";

const target: Target = { model: "gemini-embedding-001", baseUrl: "https://generativelanguage.googleapis.com", apiKey: "AIza-test-key" };
const meta = { id: "emb-1", created: 1_700_000_000, model: "embed-alias" };
const body: EmbeddingsRequest = { model: "embed-alias", input: ["The quick brown fox", "🦊 42"] };

describe("gemini embeddingsRequest", () => {
  it("sends one batchEmbedContents request per input, with outputDimensionality from dimensions", () => {
    expect(embeddingsRequest({ ...body, dimensions: 768 }, target)).toEqual({
      url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents",
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "AIza-test-key" },
      body: JSON.stringify({
        requests: [
          { model: "models/gemini-embedding-001", content: { parts: [{ text: "The quick brown fox" }] }, outputDimensionality: 768 },
          { model: "models/gemini-embedding-001", content: { parts: [{ text: "🦊 42" }] }, outputDimensionality: 768 },
        ],
      }),
    });
    expect(JSON.parse(embeddingsRequest({ model: "m", input: "one" }, target).body ?? "")).toEqual({
      requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "one" }] } }],
    });
  });

  it("rejects token-array inputs, which Gemini cannot embed", () => {
    for (const input of [
      [1, 2, 3],
      [[1, 2], [3]],
    ]) {
      expect(() => embeddingsRequest({ model: "m", input }, target)).toThrow(AdapterInputError);
    }
  });
});

describe("gemini embeddingsResponse", () => {
  it("returns float vectors with estimated usage marked out of band", () => {
    const res = embeddingsResponse(fixture, meta, body);
    expect(res).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [1, -2, 0.5, 0] },
        { object: "embedding", index: 1, embedding: [0.013168523, -0.008711934, -0.046782676, 0.00069968984] },
      ],
      model: "embed-alias",
      // "The quick brown fox": 19 bytes → 7; "🦊 42": 2 digits + 5 other bytes → 2 + 2
      usage: { prompt_tokens: 11, total_tokens: 11 },
    });
    expect(isEstimated(res.usage)).toBe(true);
    expect(JSON.stringify(res.usage)).toBe('{"prompt_tokens":11,"total_tokens":11}');
  });

  it("encodes base64 as little-endian float32, as OpenAI does", () => {
    const res = embeddingsResponse(fixture, meta, { ...body, encoding_format: "base64" });
    expect(res.data[0]?.embedding).toBe("AACAPwAAAMAAAAA/AAAAAA==");
    const decoded = Uint8Array.from(atob(res.data[1]?.embedding as string), (c) => c.charCodeAt(0));
    const view = new DataView(decoded.buffer);
    const floats = Array.from({ length: decoded.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    expect(floats).toEqual(fixture.embeddings[1]?.values.map(Math.fround));
  });

  it("is reached through the adapter with the request as third argument", () => {
    expect(gemini.embeddingsResponse?.(fixture, meta, body)).toEqual(embeddingsResponse(fixture, meta, body));
  });

  it("rejects an answer without embeddings", () => {
    expect(() => embeddingsResponse({ embedding: { values: [1] } }, meta, body)).toThrow(MalformedUpstreamResponse);
    expect(() => embeddingsResponse({ embeddings: [{}] }, meta, body)).toThrow(MalformedUpstreamResponse);
  });
});

describe("estimateTokens", () => {
  it("over-counts ordinary text and counts digits one by one", () => {
    const english = "Gemini averages about four characters per token on English prose.";
    expect(estimateTokens(english)).toBeGreaterThanOrEqual(Math.ceil(english.length / 4));
    expect(estimateTokens("1234567890")).toBe(10);
    expect(estimateTokens("日本語")).toBe(3);
    expect(estimateTokens("")).toBe(0);
  });
});
