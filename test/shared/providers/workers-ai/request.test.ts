import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../../../shared/openai/chat-request";
import type { Target } from "../../../../shared/providers/types";
import { AdapterInputError, workersAi } from "../../../../shared/providers/workers-ai";

const target: Target = { model: "@cf/meta/llama-3.1-8b-instruct", baseUrl: "workers-ai:", apiKey: "" };
const inputsOf = (body: ChatCompletionRequest) => JSON.parse(workersAi.chatRequest(body, target).body ?? "");
const user = (content: string) => ({ role: "user" as const, content });

const weather = {
  type: "function" as const,
  function: {
    name: "getWeather",
    description: "Return the weather for a latitude and longitude",
    parameters: { type: "object", properties: { latitude: { type: "string" } }, required: ["latitude"] },
  },
};
const time = { type: "function" as const, function: { name: "getTime" } };

describe("workers-ai chatRequest", () => {
  it("is a workers-ai://run/<model> pseudo-request carrying the inputs", () => {
    const body: ChatCompletionRequest = {
      model: "llama",
      messages: [{ role: "developer", content: "Be brief." }, user("Hi")],
      max_tokens: 100,
      temperature: 0.6,
      top_p: 0.9,
      seed: 7,
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      top_k: 40,
      repetition_penalty: 1.1,
      user: "u-1",
      logit_bias: { "50256": -100 },
      stream: true,
      stream_options: { include_usage: true },
    };
    expect(workersAi.chatRequest(body, target)).toEqual({
      url: "workers-ai://run/@cf/meta/llama-3.1-8b-instruct",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
        max_tokens: 100,
        temperature: 0.6,
        top_p: 0.9,
        seed: 7,
        frequency_penalty: 0.5,
        presence_penalty: -0.5,
        top_k: 40,
        repetition_penalty: 1.1,
        stream: true,
      }),
    });
  });

  it("prefers max_completion_tokens and leaves out what the client did not set", () => {
    expect(inputsOf({ model: "m", messages: [user("Hi")], max_tokens: 10, max_completion_tokens: 20, temperature: null })).toEqual({
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 20,
    });
  });

  it("maps a tool round trip: tools, the assistant's calls, and results named after the called function", () => {
    const inputs = inputsOf({
      model: "m",
      messages: [
        user("Weather in London?"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "getWeather", arguments: '{"latitude":"51.5"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temp":14}' },
      ],
      tools: [weather, time],
    });
    expect(inputs).toEqual({
      messages: [
        { role: "user", content: "Weather in London?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "call_1", type: "function", function: { name: "getWeather", arguments: '{"latitude":"51.5"}' } }],
        },
        { role: "tool", content: '{"temp":14}', tool_call_id: "call_1", name: "getWeather" },
      ],
      tools: [
        weather,
        { type: "function", function: { name: "getTime", description: "", parameters: { type: "object", properties: {} } } },
      ],
    });
  });

  it("applies tool_choice as far as Workers AI can: none drops tools, a named function keeps only it", () => {
    const base = { model: "m", messages: [user("Hi")], tools: [weather, time] };
    expect(inputsOf({ ...base, tool_choice: "none" })).not.toHaveProperty("tools");
    expect(inputsOf({ ...base, tool_choice: "required" }).tools).toHaveLength(2);
    expect(inputsOf({ ...base, tool_choice: { type: "function", function: { name: "getWeather" } } }).tools).toEqual([weather]);
    expect(() => workersAi.chatRequest({ ...base, tool_choice: { type: "function", function: { name: "nope" } } }, target)).toThrow(
      AdapterInputError,
    );
  });

  it("maps JSON mode: the schema itself goes under json_schema", () => {
    const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
    const base = { model: "m", messages: [user("Tell me about India.")] };
    expect(
      inputsOf({ ...base, response_format: { type: "json_schema", json_schema: { name: "country", schema } } }).response_format,
    ).toEqual({
      type: "json_schema",
      json_schema: schema,
    });
    expect(inputsOf({ ...base, response_format: { type: "json_object" } }).response_format).toEqual({ type: "json_object" });
    expect(inputsOf({ ...base, response_format: { type: "text" } })).not.toHaveProperty("response_format");
  });

  it("joins text parts into one string and passes image parts through", () => {
    const text = inputsOf({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "one" },
            { type: "text", text: "two" },
          ],
        },
      ],
    });
    expect(text.messages).toEqual([{ role: "user", content: "one\ntwo" }]);
    const parts = [
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    ];
    expect(inputsOf({ model: "m", messages: [{ role: "user", content: parts }] }).messages).toEqual([{ role: "user", content: parts }]);
  });

  it.each([
    [{ n: 2 }, "n"],
    [{ logprobs: true }, "logprobs"],
    [{ stop: ["\n"] }, "stop"],
  ])("rejects %j with AdapterInputError on %s", (extra, param) => {
    expect(() => workersAi.chatRequest({ model: "m", messages: [user("Hi")], ...extra }, target)).toThrow(
      expect.objectContaining({ name: "AdapterInputError", param }),
    );
  });

  it("rejects content parts and roles Workers AI cannot take", () => {
    const audio = { role: "user" as const, content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] };
    expect(() => workersAi.chatRequest({ model: "m", messages: [audio] }, target)).toThrow(
      expect.objectContaining({ param: "messages[0].content[0]" }),
    );
    expect(() => workersAi.chatRequest({ model: "m", messages: [{ role: "function", name: "f", content: "{}" }] }, target)).toThrow(
      expect.objectContaining({ param: "messages[0].role" }),
    );
  });
});
