import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../../../shared/openai/chat-request";
import { AdapterInputError, anthropic, DEFAULT_MAX_TOKENS } from "../../../../shared/providers/anthropic";
import type { Target } from "../../../../shared/providers/types";

/** A request without `model` (the tests set a client-side alias, which the adapter must replace). */
type Body = Partial<ChatCompletionRequest> & Pick<ChatCompletionRequest, "messages">;

const target: Target = { model: "claude-sonnet-4-5", baseUrl: "https://api.anthropic.com", apiKey: "sk-ant-test" };

const send = (body: Body, t: Target = target) => anthropic.chatRequest({ model: "edgeway-alias", ...body }, t);
const bodyOf = (body: Body) => JSON.parse(send(body).body ?? "");

const inputError = (body: Body): AdapterInputError => {
  try {
    send(body);
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error("expected an AdapterInputError");
};

describe("anthropic chatRequest", () => {
  it("posts to /v1/messages with Anthropic's headers and the upstream model", () => {
    const req = send({ messages: [{ role: "user", content: "Hi" }] });
    expect(req).toEqual({
      url: "https://api.anthropic.com/v1/messages",
      method: "POST",
      headers: { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 4096,
        messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      }),
    });
    expect(DEFAULT_MAX_TOKENS).toBe(4096);
  });

  it("takes anthropic-version from the deployment options", () => {
    const req = send({ messages: [{ role: "user", content: "Hi" }] }, { ...target, options: { anthropicVersion: "2024-01-01" } });
    expect(req.headers["anthropic-version"]).toBe("2024-01-01");
  });

  it("hoists system and developer messages into system, in order", () => {
    expect(
      bodyOf({
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Hi" },
          { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
          { role: "user", content: "Again" },
        ],
      }),
    ).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: "You are terse.\n\nAnswer in French.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "text", text: "Again" },
          ],
        },
      ],
    });
  });

  it("merges consecutive same-role messages and drops empty turns", () => {
    expect(
      bodyOf({
        messages: [
          { role: "user", content: "a" },
          { role: "user", content: [{ type: "text", text: "b" }] },
          { role: "assistant", content: "" },
          { role: "user", content: "c" },
          { role: "assistant", content: "d" },
          { role: "assistant", content: "e" },
        ],
      }).messages,
    ).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
          { type: "text", text: "c" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "d" },
          { type: "text", text: "e" },
        ],
      },
    ]);
  });

  it("maps image parts: data: URLs to base64 sources, http(s) URLs to url sources", () => {
    expect(
      bodyOf({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is in these?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
            ],
          },
        ],
      }).messages,
    ).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });

  it("maps a tool round trip: tool_calls → tool_use, tool messages → one user message of tool_results", () => {
    const body = bodyOf({
      messages: [
        { role: "user", content: "Weather in SF and NYC?" },
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"location":"SF"}' } },
            { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: '{"location":"NYC"}' } },
            { id: "toolu_3", type: "function", function: { name: "now", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "15 °C" },
        { role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "22 °C" }] },
        { role: "tool", tool_call_id: "toolu_3", content: "" },
        { role: "user", content: "Thanks" },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Current weather",
            parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
          },
        },
        { type: "function", function: { name: "now" } },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in SF and NYC?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { location: "SF" } },
          { type: "tool_use", id: "toolu_2", name: "get_weather", input: { location: "NYC" } },
          { type: "tool_use", id: "toolu_3", name: "now", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "15 °C" },
          { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "22 °C" }] },
          { type: "tool_result", tool_use_id: "toolu_3" },
          { type: "text", text: "Thanks" },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      {
        name: "get_weather",
        description: "Current weather",
        input_schema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
      },
      { name: "now", input_schema: { type: "object", properties: {} } },
    ]);
    expect(body.tool_choice).toBeUndefined();
  });

  it("puts tool results before text when a user message is merged into them", () => {
    const body = bodyOf({
      messages: [
        { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }] },
        { role: "user", content: "By the way" },
        { role: "tool", tool_call_id: "t1", content: "ok" },
      ],
      tools: [{ type: "function", function: { name: "f" } }],
    });
    expect(body.messages[1]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "t1", content: "ok" },
        { type: "text", text: "By the way" },
      ],
    });
  });

  const weather = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
  it.each([
    ["auto", true, { type: "auto" }],
    ["required", true, { type: "any" }],
    ["none", true, { type: "none" }],
    [{ type: "function" as const, function: { name: "get_weather" } }, true, { type: "tool", name: "get_weather" }],
    ["auto", false, { type: "auto", disable_parallel_tool_use: true }],
    ["required", false, { type: "any", disable_parallel_tool_use: true }],
    [
      { type: "function" as const, function: { name: "get_weather" } },
      false,
      { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
    ],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
  ] as const)("maps tool_choice %j with parallel_tool_calls %s", (choice, parallel, expected) => {
    const body = bodyOf({
      messages: [{ role: "user", content: "Hi" }],
      tools: weather,
      tool_choice: choice,
      parallel_tool_calls: parallel,
    });
    expect(body.tool_choice).toEqual(expected);
  });

  it("drops tool_choice when there are no tools", () => {
    expect(bodyOf({ messages: [{ role: "user", content: "Hi" }], tool_choice: "required" })).not.toHaveProperty("tool_choice");
  });

  it("maps sampling fields: max_completion_tokens first, temperature clamped to 1, stop, user, stream", () => {
    const body = bodyOf({
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 100,
      max_completion_tokens: 50,
      temperature: 1.6,
      top_p: 0.9,
      stop: "\n\nHuman:",
      user: "user-42",
      stream: true,
      stream_options: { include_usage: true },
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logprobs: false,
      n: 1,
    });
    expect(body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ["\n\nHuman:"],
      stream: true,
      metadata: { user_id: "user-42" },
    });
    expect(bodyOf({ messages: [{ role: "user", content: "Hi" }], max_tokens: 100, temperature: 0.3, stop: ["a", "b"] })).toMatchObject({
      max_tokens: 100,
      temperature: 0.3,
      stop_sequences: ["a", "b"],
    });
  });

  it("passes Anthropic's own top_k and thinking through", () => {
    const body = bodyOf({ messages: [{ role: "user", content: "Hi" }], top_k: 5, thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(body).toMatchObject({ top_k: 5, thinking: { type: "enabled", budget_tokens: 2048 } });
  });

  it("serves json_object through a forced JSON tool", () => {
    const body = bodyOf({ messages: [{ role: "user", content: "List 3 cities as JSON" }], response_format: { type: "json_object" } });
    expect(body.tools).toEqual([
      {
        name: "edgeway_json_response",
        description: "Give your complete answer by calling this tool: its input is the JSON response.",
        input_schema: { type: "object" },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "edgeway_json_response" });
  });

  it("serves json_schema with the schema as the tool's input schema, beside the client's tools", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const body = bodyOf({
      messages: [{ role: "user", content: "Pick a city" }],
      response_format: { type: "json_schema", json_schema: { name: "city", description: "One city.", schema, strict: true } },
      tools: weather,
    });
    expect(body.tools).toEqual([
      { name: "get_weather", input_schema: { type: "object" } },
      {
        name: "edgeway_json_response",
        description: "Give your complete answer by calling this tool: its input is the JSON response. Format: city. One city.",
        input_schema: schema,
      },
    ]);
    expect(body.tool_choice).toEqual({ type: "any" });
    expect(bodyOf({ messages: [{ role: "user", content: "x" }], response_format: { type: "text" } })).not.toHaveProperty("tools");
  });

  it.each([
    ["none", { type: "tool", name: "edgeway_json_response" }],
    ["required", { type: "any", disable_parallel_tool_use: true }],
    [
      { type: "function" as const, function: { name: "get_weather" } },
      { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
    ],
  ] as const)("in JSON mode with client tools, maps tool_choice %j", (choice, expected) => {
    const body = bodyOf({
      messages: [{ role: "user", content: "Hi" }],
      response_format: { type: "json_object" },
      tools: weather,
      tool_choice: choice,
      parallel_tool_calls: false,
    });
    expect(body.tool_choice).toEqual(expected);
    expect(body.tools.map((t: { name: string }) => t.name)).toEqual(["get_weather", "edgeway_json_response"]);
  });

  it.each([
    [{ messages: [{ role: "user", content: "Hi" }], n: 2 }, "n"],
    [{ messages: [{ role: "user", content: "Hi" }], logprobs: true }, "logprobs"],
    [{ messages: [{ role: "function", name: "f", content: "x" }] }, "messages[0].role"],
    [{ messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    [
      { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] }] },
      "messages[0].content[0]",
    ],
    [
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,AAA=" } }] }] },
      "messages[0].content[0].image_url.url",
    ],
    [
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://example.com/a.png" } }] }] },
      "messages[0].content[0].image_url.url",
    ],
    [{ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x/a.png" } }] }] }, "messages[0].content[0]"],
    [
      { messages: [{ role: "assistant", tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{oops" } }] }] },
      "messages[0].tool_calls[0].function.arguments",
    ],
    [
      { messages: [{ role: "assistant", tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "[1]" } }] }] },
      "messages[0].tool_calls[0].function.arguments",
    ],
    [
      { messages: [{ role: "user", content: "Hi" }], tools: [{ type: "function", function: { name: "edgeway_json_response" } }] },
      "tools[0].function.name",
    ],
    [
      {
        messages: [{ role: "user", content: "Hi" }],
        response_format: { type: "json_schema", json_schema: { name: "list", schema: { type: "array" } } },
      },
      "response_format.json_schema.schema",
    ],
  ] as Array<[Body, string]>)("rejects what Anthropic cannot do (%#) with param %s", (body, param) => {
    const err = inputError(body);
    expect(err.name).toBe("AdapterInputError");
    expect(err.param).toBe(param);
    expect(err.message).not.toBe("");
  });
});
