import { describe, expect, it } from "vitest";
import { azure } from "../../../../shared/providers/azure";
import { MalformedUpstreamResponse } from "../../../../shared/providers/malformed";
import chatJson from "../../../fixtures/providers/azure/chat.response.json";
import embeddingsJson from "../../../fixtures/providers/azure/embeddings.response.json";
import filteredJson from "../../../fixtures/providers/azure/filtered.response.json";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "gpt-4o-alias" };

describe("azure chatResponse", () => {
  it("is OpenAI's completion, Azure's filter results riding along", () => {
    const res = azure.chatResponse(chatJson, meta);
    expect(res).toEqual(chatJson);
    expect(res.choices[0]?.message.content).toBe("A private endpoint gives the resource an IP address inside your virtual network.");
    expect(res.usage).toEqual({ completion_tokens: 17, prompt_tokens: 14, total_tokens: 31 });
  });

  it("passes a content_filter finish through, with content null when Azure removed it", () => {
    const res = azure.chatResponse(filteredJson, meta);
    expect(res.choices).toEqual([
      {
        index: 0,
        logprobs: null,
        finish_reason: "content_filter",
        message: { role: "assistant", content: null },
        content_filter_results: filteredJson.choices[0]?.content_filter_results,
      },
    ]);
    expect(res.usage?.total_tokens).toBe(61);
  });

  it("rejects an answer without choices", () => {
    expect(() => azure.chatResponse({ error: "nope" }, meta)).toThrow(MalformedUpstreamResponse);
  });
});

describe("azure embeddingsResponse", () => {
  it("is OpenAI's list", () => {
    expect(azure.embeddingsResponse?.(embeddingsJson, meta, { model: "embed", input: ["a", "b"] })).toEqual(embeddingsJson);
  });
});
