import { describe, expect, it } from "vitest";
import { MalformedUpstreamResponse } from "../../../../shared/providers/malformed";
import { workersAi } from "../../../../shared/providers/workers-ai";
import jsonMode from "../../../fixtures/providers/workers-ai/json-mode.result.json";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "llama-alias" };
const completion = (message: Record<string, unknown>, finish_reason: string, usage?: Record<string, number>) => ({
  id: "chatcmpl-edgeway-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "llama-alias",
  choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason, logprobs: null }],
  ...(usage ? { usage } : {}),
});

describe("workers-ai chatResponse", () => {
  it("stringifies a JSON-mode answer returned as an object", () => {
    expect(workersAi.chatResponse(jsonMode, meta)).toEqual(
      completion({ content: JSON.stringify(jsonMode.response) }, "stop", { prompt_tokens: 47, completion_tokens: 25, total_tokens: 72 }),
    );
  });

  it("leaves usage out when the model reports none, and fills in a missing total", () => {
    expect(workersAi.chatResponse({ response: "Hi" }, meta)).toEqual(completion({ content: "Hi" }, "stop"));
    expect(workersAi.chatResponse({ response: "Hi", usage: { prompt_tokens: 3, completion_tokens: 1 } }, meta).usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: 1,
      total_tokens: 4,
    });
  });

  it("keeps the ids of OpenAI-shaped tool calls and parses their arguments as given", () => {
    const json = {
      response: "",
      tool_calls: [{ id: "chatcmpl-tool-1", type: "function", function: { name: "getTime", arguments: '{"tz":"UTC"}' } }],
    };
    expect(workersAi.chatResponse(json, meta)).toEqual(
      completion(
        {
          content: null,
          tool_calls: [{ id: "chatcmpl-tool-1", type: "function", function: { name: "getTime", arguments: '{"tz":"UTC"}' } }],
        },
        "tool_calls",
      ),
    );
  });

  it("reads an OpenAI-shaped result", () => {
    const json = {
      id: "id-upstream",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "Bonjour" }, finish_reason: "length" }],
      usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 },
    };
    expect(workersAi.chatResponse(json, meta)).toEqual(
      completion({ content: "Bonjour" }, "length", { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 }),
    );
  });

  it("rejects results it cannot read", () => {
    for (const json of [null, "text", {}, { result: { response: "x" } }, { response: "", tool_calls: [{ arguments: {} }] }]) {
      expect(() => workersAi.chatResponse(json, meta)).toThrow(MalformedUpstreamResponse);
    }
  });
});
