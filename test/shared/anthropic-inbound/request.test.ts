import { describe, expect, it } from "vitest";
import { MessagesRequest, TOOL_ERROR_PREFIX, toChatRequest } from "../../../shared/anthropic-inbound/request";
import { AdapterInputError } from "../../../shared/providers/adapter-input-error";

type Body = Omit<MessagesRequest, "model" | "max_tokens"> & Partial<Pick<MessagesRequest, "model" | "max_tokens">>;

/** Validated as the route does, then translated. */
const translate = (body: Body) => toChatRequest(MessagesRequest.parse({ model: "claude-haiku-4-5", max_tokens: 256, ...body }));

const inputError = (body: Body): AdapterInputError => {
  try {
    translate(body);
  } catch (err) {
    if (err instanceof AdapterInputError) return err;
    throw err;
  }
  throw new Error("expected an AdapterInputError");
};

const hi = [{ role: "user" as const, content: "Hi" }];

describe("toChatRequest", () => {
  it("maps the minimal request: model, max_tokens, a string user message", () => {
    expect(translate({ messages: hi })).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("maps every sampling and identity field, and passes top_k and thinking through", () => {
    const out = translate({
      messages: hi,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["END", "STOP"],
      metadata: { user_id: "user-7" },
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(out).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["END", "STOP"],
      user: "user-7",
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
  });

  it("asks for the usage chunk when streaming, and leaves stream out otherwise", () => {
    expect(translate({ messages: hi, stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const plain = translate({ messages: hi, stream: false });
    expect(plain).not.toHaveProperty("stream");
    expect(plain).not.toHaveProperty("stream_options");
  });

  it("turns system (string or text blocks) into one leading system message", () => {
    expect(translate({ system: "Be terse.", messages: hi }).messages).toEqual([
      { role: "system", content: "Be terse." },
      { role: "user", content: "Hi" },
    ]);
    const blocks = translate({
      system: [
        { type: "text", text: "Be terse." },
        { type: "text", text: "Answer in French.", cache_control: { type: "ephemeral" } },
      ],
      messages: hi,
    });
    expect(blocks.messages).toEqual([
      { role: "system", content: "Be terse.\nAnswer in French." },
      { role: "user", content: "Hi" },
    ]);
    expect(translate({ system: "", messages: hi }).messages).toEqual([{ role: "user", content: "Hi" }]);
  });

  it("maps text and image blocks (base64 → data: URL, url → image_url)", () => {
    const out = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });

  it("maps a tool round trip: tool_use → tool_calls, tool_result → tool messages before the rest of the turn", () => {
    const out = translate({
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Two cities.", signature: "sig" },
            { type: "text", text: "Checking both." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Rome" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              content: [
                { type: "text", text: "city" },
                { type: "text", text: "unknown" },
              ],
              is_error: true,
            },
            { type: "text", text: "Thanks" },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: "Checking both.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
      { role: "tool", tool_call_id: "toolu_2", content: `${TOOL_ERROR_PREFIX}city\nunknown` },
      { role: "user", content: [{ type: "text", text: "Thanks" }] },
    ]);
  });

  it("gives an assistant turn with only tool calls null content, and a turn of only tool results no user message", () => {
    const out = translate({
      messages: [
        { role: "user", content: "Go" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "run", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1" }] },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "Go" },
      { role: "assistant", content: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "run", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "toolu_1", content: "" },
    ]);
  });

  it("maps tools and each tool_choice, with disable_parallel_tool_use → parallel_tool_calls false", () => {
    const tools = [
      { name: "get_weather", description: "Weather now", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      { name: "noop", input_schema: { type: "object" }, type: "custom" },
    ];
    const functions = [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather now",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
      { type: "function", function: { name: "noop", parameters: { type: "object" } } },
    ];
    expect(translate({ messages: hi, tools })).toMatchObject({ tools: functions });
    expect(translate({ messages: hi, tools })).not.toHaveProperty("tool_choice");
    const choice = (tool_choice: MessagesRequest["tool_choice"]) => {
      const out = translate({ messages: hi, tools, tool_choice });
      return { tool_choice: out.tool_choice, parallel_tool_calls: out.parallel_tool_calls };
    };
    expect(choice({ type: "auto" })).toEqual({ tool_choice: "auto", parallel_tool_calls: undefined });
    expect(choice({ type: "any", disable_parallel_tool_use: true })).toEqual({ tool_choice: "required", parallel_tool_calls: false });
    expect(choice({ type: "tool", name: "noop" })).toEqual({
      tool_choice: { type: "function", function: { name: "noop" } },
      parallel_tool_calls: undefined,
    });
    expect(choice({ type: "none" })).toEqual({ tool_choice: "none", parallel_tool_calls: undefined });
  });

  it("drops tool_choice when no tools are given", () => {
    expect(translate({ messages: hi, tool_choice: { type: "any" } })).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("rejects what the OpenAI format cannot carry, naming the Anthropic param", () => {
    const user = (content: unknown) => ({ messages: [{ role: "user", content }] }) as Body;
    const cases: Array<[Body, string]> = [
      [user([{ type: "document", source: { type: "text", data: "x", media_type: "text/plain" } }]), "messages[0].content[0].type"],
      [user([{ type: "image", source: { type: "file", file_id: "file_1" } }]), "messages[0].content[0].source.type"],
      [user([{ type: "image", source: { type: "base64", media_type: "image/png" } }]), "messages[0].content[0].source.data"],
      [user([{ type: "text" }]), "messages[0].content[0].text"],
      [user([{ type: "tool_result", tool_use_id: "t", content: [{ type: "image", source: {} }] }]), "messages[0].content[0].content[0]"],
      [user([{ type: "tool_result" }]), "messages[0].content[0].tool_use_id"],
      [
        { messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: "x" }] }] },
        "messages[0].content[0].input",
      ],
      [{ messages: [{ role: "assistant", content: [{ type: "image", source: {} }] }] }, "messages[0].content[0].type"],
      [{ messages: hi, tools: [{ name: "web_search", type: "web_search_20250305" }] }, "tools[0].type"],
      [{ messages: hi, tools: [{ name: "f" }] }, "tools[0].input_schema"],
    ];
    for (const [body, param] of cases) expect(inputError(body).param).toBe(param);
  });

  it("validates the fields it reads", () => {
    const parse = (body: unknown) => MessagesRequest.safeParse(body).success;
    expect(parse({ model: "m", max_tokens: 1, messages: hi })).toBe(true);
    expect(parse({ model: "m", messages: hi })).toBe(false);
    expect(parse({ model: "m", max_tokens: 0, messages: hi })).toBe(false);
    expect(parse({ model: "m", max_tokens: 1, messages: [] })).toBe(false);
    expect(parse({ model: "m", max_tokens: 1, messages: [{ role: "system", content: "x" }] })).toBe(false);
    expect(parse({ model: "m", max_tokens: 1, messages: hi, temperature: 1.5 })).toBe(false);
    expect(parse({ model: "m", max_tokens: 1, messages: hi, tool_choice: { type: "tool" } })).toBe(false);
    expect(parse({ model: "m", max_tokens: 1, messages: hi, service_tier: "auto" })).toBe(true);
  });
});
