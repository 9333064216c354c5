import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../../../shared/openai/chat-request";
import { azure, DEFAULT_AZURE_API_VERSION } from "../../../../shared/providers/azure";
import type { Target } from "../../../../shared/providers/types";

const target: Target = { model: "gpt-4o-prod", baseUrl: "https://contoso.openai.azure.com", apiKey: "azure-key-123" };
const v1: Target = { ...target, options: { api: "v1" } };
const headers = { "content-type": "application/json", "api-key": "azure-key-123" };
const body: ChatCompletionRequest = {
  model: "gpt-4o",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "What is a private endpoint?" },
  ],
  temperature: 0.2,
  max_completion_tokens: 200,
  data_sources: [{ type: "azure_search" }],
};

describe("azure chatRequest", () => {
  it("posts to the deployment URL with the default api-version and the key in api-key", () => {
    const req = azure.chatRequest(body, target);
    expect(req).toEqual({
      url: `https://contoso.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`,
      method: "POST",
      headers,
      body: JSON.stringify({ ...body, model: "gpt-4o-prod" }),
    });
    expect(DEFAULT_AZURE_API_VERSION).toBe("2024-10-21");
    expect(req.headers).not.toHaveProperty("authorization");
  });

  it("uses options.apiVersion and encodes the deployment name", () => {
    const req = azure.chatRequest(body, { ...target, model: "gpt 4o/eu", options: { apiVersion: "2025-01-01-preview" } });
    expect(req.url).toBe(
      "https://contoso.openai.azure.com/openai/deployments/gpt%204o%2Feu/chat/completions?api-version=2025-01-01-preview",
    );
  });

  it("uses the v1 API with the deployment as model in the body, api-version only when set", () => {
    const req = azure.chatRequest(body, v1);
    expect(req.url).toBe("https://contoso.openai.azure.com/openai/v1/chat/completions");
    expect(req.headers).toEqual(headers);
    expect(JSON.parse(req.body ?? "")).toMatchObject({ model: "gpt-4o-prod" });
    expect(azure.chatRequest(body, { ...target, options: { api: "v1", apiVersion: "preview" } }).url).toBe(
      "https://contoso.openai.azure.com/openai/v1/chat/completions?api-version=preview",
    );
  });

  it("accepts an endpoint given with /openai or /openai/v1", () => {
    for (const baseUrl of ["https://contoso.openai.azure.com/openai", "https://contoso.openai.azure.com/openai/v1/"]) {
      expect(azure.chatRequest(body, { ...v1, baseUrl }).url).toBe("https://contoso.openai.azure.com/openai/v1/chat/completions");
    }
  });

  it("rejects an unknown api option", () => {
    expect(() => azure.chatRequest(body, { ...target, options: { api: "v2" } })).toThrow(/api must be "v1"/);
  });

  it("asks for usage in streams, keeping the client's other stream options", () => {
    const streamed = JSON.parse(azure.chatRequest({ ...body, stream: true, stream_options: { include_usage: false } }, target).body ?? "");
    expect(streamed.stream).toBe(true);
    expect(streamed.stream_options).toEqual({ include_usage: true });
    const plain = JSON.parse(azure.chatRequest({ ...body, stream_options: { include_usage: true } }, target).body ?? "");
    expect(plain).not.toHaveProperty("stream_options");
  });
});

describe("azure embeddingsRequest", () => {
  const embed = { model: "embed", input: ["a", "b"], dimensions: 256 };

  it("posts the OpenAI body to the deployment's embeddings URL", () => {
    expect(azure.embeddingsRequest?.(embed, { ...target, model: "te3-small" })).toEqual({
      url: `https://contoso.openai.azure.com/openai/deployments/te3-small/embeddings?api-version=${DEFAULT_AZURE_API_VERSION}`,
      method: "POST",
      headers,
      body: JSON.stringify({ ...embed, model: "te3-small" }),
    });
  });

  it("posts to /openai/v1/embeddings on the v1 API", () => {
    expect(azure.embeddingsRequest?.(embed, { ...v1, model: "te3-small" }).url).toBe(
      "https://contoso.openai.azure.com/openai/v1/embeddings",
    );
  });
});
