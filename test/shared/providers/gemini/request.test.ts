import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../../../shared/openai/chat-request";
import { AdapterInputError, gemini } from "../../../../shared/providers/gemini";
import type { Target } from "../../../../shared/providers/types";

const target: Target = { model: "gemini-2.5-flash", baseUrl: "https://generativelanguage.googleapis.com", apiKey: "AIza-test-key" };

const request = (body: Partial<ChatCompletionRequest>) =>
  gemini.chatRequest({ model: "alias", messages: [{ role: "user", content: "Hi" }], ...body }, target);
const bodyOf = (body: Partial<ChatCompletionRequest>) => JSON.parse(request(body).body ?? "null");

function inputError(fn: () => unknown): AdapterInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error("expected an AdapterInputError");
}

describe("gemini chatRequest: transport", () => {
  it("posts to :generateContent with the key in x-goog-api-key, never in the URL", () => {
    expect(request({})).toEqual({
      url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "AIza-test-key" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] }),
    });
  });

  it("streams through :streamGenerateContent?alt=sse", () => {
    const req = request({ stream: true });
    expect(req.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(req.url).not.toContain("AIza");
  });
});

describe("gemini chatRequest: messages", () => {
  it("hoists system and developer messages, maps roles and merges consecutive turns", () => {
    const body = bodyOf({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
        { role: "user", content: [{ type: "text", text: "Are you there?" }] },
        { role: "assistant", content: "Yes." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "Why is the sky blue?" },
      ],
    });
    expect(body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Hello" }, { text: "Are you there?" }] },
        { role: "model", parts: [{ text: "Yes." }] },
        { role: "user", parts: [{ text: "Why is the sky blue?" }] },
      ],
      systemInstruction: { parts: [{ text: "Be brief." }, { text: "Answer in French." }] },
    });
  });

  it("sends data: images inline and http(s) images as fileData with a guessed type", () => {
    const body = bodyOf({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these." },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.JPG?size=large", detail: "high" } },
            { type: "image_url", image_url: { url: "https://example.com/render?id=7" } },
          ],
        },
      ],
    });
    expect(body.contents).toEqual([
      {
        role: "user",
        parts: [
          { text: "Compare these." },
          { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
          { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.JPG?size=large" } },
          { fileData: { mimeType: "image/*", fileUri: "https://example.com/render?id=7" } },
        ],
      },
    ]);
  });

  it("sends audio and data: files inline", () => {
    const body = bodyOf({
      messages: [
        {
          role: "user",
          content: [
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "mp3" } },
            { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
          ],
        },
      ],
    });
    expect(body.contents[0].parts).toEqual([
      { inlineData: { mimeType: "audio/mp3", data: "UklGRg==" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
    ]);
  });

  it("maps tool calls to functionCall parts and tool results to functionResponse parts named by call id", () => {
    const body = bodyOf({
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call_b", type: "function", function: { name: "get_time", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_b", content: "14:05" },
        { role: "tool", tool_call_id: "call_a", content: '{"temp_c":21,"sky":"clear"}' },
        { role: "tool", tool_call_id: "call_a", content: [{ type: "text", text: "[1,2]" }] },
      ],
    });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
      {
        role: "model",
        parts: [
          // No signature came back from the client: the first call gets Google's documented bypass value.
          { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "skip_thought_signature_validator" },
          { functionCall: { name: "get_time", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_time", response: { content: "14:05" } } },
          { functionResponse: { name: "get_weather", response: { temp_c: 21, sky: "clear" } } },
          { functionResponse: { name: "get_weather", response: { content: "[1,2]" } } },
        ],
      },
    ]);
  });

  it("replays the thought signature a previous answer carried in extra_content", () => {
    const body = bodyOf({
      messages: [
        { role: "user", content: "Party!" },
        {
          role: "assistant",
          content: "On it.",
          tool_calls: [
            {
              id: "call_x_0",
              type: "function",
              function: { name: "power_disco_ball", arguments: '{"power":true}' },
              extra_content: { google: { thought_signature: "CiQB0e2K" } },
            },
          ],
        },
      ],
    });
    expect(body.contents[1]).toEqual({
      role: "model",
      parts: [{ text: "On it." }, { functionCall: { name: "power_disco_ball", args: { power: true } }, thoughtSignature: "CiQB0e2K" }],
    });
  });

  it("rejects what Gemini cannot take with AdapterInputError naming the field", () => {
    const cases: Array<[Partial<ChatCompletionRequest>, string]> = [
      [
        { messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }] }] },
        "messages[0].tool_calls[0].function.arguments",
      ],
      [
        { messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "[1]" } }] }] },
        "messages[0].tool_calls[0].function.arguments",
      ],
      [{ messages: [{ role: "tool", tool_call_id: "unknown", content: "x" }] }, "messages[0].tool_call_id"],
      [{ messages: [{ role: "user", content: [{ type: "video_url", video_url: "x" }] }] }, "messages[0].content[0].type"],
      [
        { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }] },
        "messages[0].content[0].image_url.url",
      ],
      [{ messages: [{ role: "system", content: "Only a system prompt" }] }, "messages"],
      [
        {
          messages: [
            {
              role: "system",
              content: [
                { type: "text", text: "Look:" },
                { type: "image_url", image_url: { url: "https://x/y.png" } },
              ],
            },
            { role: "user", content: "Hi" },
          ],
        },
        "messages[0].content[1]",
      ],
    ];
    for (const [body, param] of cases) expect(inputError(() => request(body)).param).toBe(param);
    expect(inputError(() => request(cases[0]?.[0] ?? {})).message).toBe("messages[0].tool_calls[0].function.arguments is not valid JSON");
  });
});

describe("gemini chatRequest: tools", () => {
  const weather = {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Current weather",
      strict: true,
      parameters: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        additionalProperties: false,
        properties: {
          city: { type: "string", description: "City name", minLength: 1 },
          unit: { type: ["string", "null"], enum: ["c", "f", null] },
          source: { type: "string", format: "uri" },
          when: { type: "string", format: "date-time" },
          place: { $ref: "#/$defs/Place" },
          tags: { type: "array", items: { type: "string", const: "x" }, uniqueItems: true },
          limit: { anyOf: [{ type: "integer", exclusiveMinimum: 0 }, { type: "null" }], description: "Max rows" },
          level: { type: "integer", enum: [1, 2, 3] },
        },
        required: ["city"],
        $defs: { Place: { type: "object", properties: { lat: { type: "number" }, lon: { type: "number" } }, additionalProperties: false } },
      },
    },
  };

  it("declares functions with schemas cleaned to Gemini's subset", () => {
    const body = bodyOf({
      tools: [weather, { type: "function", function: { name: "ping", parameters: { type: "object", properties: {} } } }],
    });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Current weather",
            parameters: {
              type: "object",
              properties: {
                city: { type: "string", description: "City name", minLength: 1 },
                unit: { type: "string", enum: ["c", "f"], nullable: true },
                source: { type: "string" },
                when: { type: "string", format: "date-time" },
                place: { type: "object", properties: { lat: { type: "number" }, lon: { type: "number" } } },
                tags: { type: "array", items: { type: "string", enum: ["x"] } },
                limit: { type: "integer", nullable: true, description: "Max rows" },
                level: { type: "integer" },
              },
              required: ["city"],
            },
          },
          { name: "ping" },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
  });

  it("maps tool_choice to functionCallingConfig modes", () => {
    const cases: Array<[ChatCompletionRequest["tool_choice"], unknown]> = [
      ["auto", { mode: "AUTO" }],
      ["none", { mode: "NONE" }],
      ["required", { mode: "ANY" }],
      [
        { type: "function", function: { name: "get_weather" } },
        { mode: "ANY", allowedFunctionNames: ["get_weather"] },
      ],
    ];
    for (const [choice, config] of cases) {
      expect(bodyOf({ tools: [weather], tool_choice: choice }).toolConfig).toEqual({ functionCallingConfig: config });
    }
    expect(bodyOf({ tool_choice: "none" }).toolConfig).toBeUndefined();
  });

  it("rejects recursive $refs, which Gemini schemas cannot express", () => {
    const tree = {
      type: "object",
      properties: { child: { $ref: "#/$defs/Node" } },
      $defs: { Node: { type: "object", properties: { child: { $ref: "#/$defs/Node" } } } },
    };
    const err = inputError(() => request({ tools: [{ type: "function", function: { name: "walk", parameters: tree } }] }));
    expect(err.param).toBe("tools[0].function.parameters");
  });
});

describe("gemini chatRequest: generationConfig", () => {
  it("maps sampling, length, stop, candidates and logprobs", () => {
    const body = bodyOf({
      max_tokens: 100,
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: "END",
      n: 2,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 3,
      parallel_tool_calls: false,
      user: "u-1",
    });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
      candidateCount: 2,
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      responseLogprobs: true,
      logprobs: 3,
    });
  });

  it("falls back to max_tokens and passes stop arrays as they are", () => {
    expect(bodyOf({ max_tokens: 100, stop: ["a", "b"], logprobs: false }).generationConfig).toEqual({
      maxOutputTokens: 100,
      stopSequences: ["a", "b"],
    });
  });

  it("turns json_object into JSON mode and json_schema into a cleaned responseSchema", () => {
    expect(bodyOf({ response_format: { type: "json_object" } }).generationConfig).toEqual({ responseMimeType: "application/json" });
    expect(bodyOf({ response_format: { type: "text" } }).generationConfig).toBeUndefined();
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, score: { type: "number" }, kind: { oneOf: [{ type: "string" }, { type: "integer" }] } },
      required: ["name", "score"],
      additionalProperties: false,
    };
    expect(
      bodyOf({ response_format: { type: "json_schema", json_schema: { name: "result", strict: true, schema } } }).generationConfig,
    ).toEqual({
      responseMimeType: "application/json",
      responseSchema: {
        type: "object",
        properties: { name: { type: "string" }, score: { type: "number" }, kind: { anyOf: [{ type: "string" }, { type: "integer" }] } },
        required: ["name", "score"],
      },
    });
  });
});
