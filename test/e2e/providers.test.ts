import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { MockUpstream } from "../../local/mock-upstream/server";
import { type Gateway, startIsolatedGateway } from "../helpers/node/gateway";

let gw: Gateway & { mock: MockUpstream };
let client: OpenAI;

beforeAll(async () => {
  gw = await startIsolatedGateway();
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: inject("stack").apiKey, maxRetries: 0 });
});
afterAll(() => gw?.stop());
beforeEach(() => gw.mock.control.reset());

const user = (content: string) => [{ role: "user" as const, content }];

/** The same models, each reached through its own provider's wire format on the mock. */
const MODELS = [
  { model: "gpt-4o-mini", provider: "openai" },
  { model: "claude-haiku-4-5", provider: "anthropic" },
  { model: "gemini-2.5-flash", provider: "gemini" },
  { model: "gpt-4o-mini-azure", provider: "azure", upstream: "gpt-4o-mini" },
] as const;

describe.each(MODELS)("$model through provider $provider", (row) => {
  const { model, provider } = row;
  const upstream = "upstream" in row ? row.upstream : model;
  it("answers JSON and a stream with the same content and usage, and names the provider", async () => {
    const req = { model, messages: [{ role: "system" as const, content: "Be terse." }, ...user(`Describe ${provider} [[words:7]]`)] };
    const { data: json, response } = await client.chat.completions.create(req).withResponse();
    expect(response.headers.get("x-edgeway-model")).toBe(`${provider}/${upstream}`);
    expect(json.choices[0]?.message.content).toMatch(new RegExp(`^\\[${upstream}\\]( \\w+){7}$`));
    expect(json.choices[0]?.finish_reason).toBe("stop");

    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } }))
      chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(json.choices[0]?.message.content);
    expect(chunks.at(-1)?.usage).toEqual(json.usage);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("calls a tool the same way in JSON and in a stream", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: { name: "lookup_order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } },
      },
    ];
    const req = { model, messages: user("Please call lookup_order for order 42"), tools, tool_choice: "required" as const };
    const json = await client.chat.completions.create(req);
    const call = json.choices[0]?.message.tool_calls?.[0];
    expect(json.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("lookup_order");
    let name = "";
    let args = "";
    for await (const c of await client.chat.completions.create({ ...req, stream: true })) {
      for (const tc of c.choices[0]?.delta.tool_calls ?? []) {
        name += tc.function?.name ?? "";
        args += tc.function?.arguments ?? "";
      }
    }
    expect(name).toBe("lookup_order");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual(JSON.parse(args));
  });

  it("maps an overloaded upstream to 503 upstream_unavailable", async () => {
    gw.mock.control.set({ failNext: 2, failureStatus: provider === "anthropic" ? 529 : 503 });
    const err = await client.chat.completions.create({ model, messages: user("hi") }).catch((e) => e);
    expect(err).toMatchObject({ status: 503, code: "upstream_unavailable" });
  });
});

describe("usage of a translated provider equals the upstream's own count", () => {
  it("claude-haiku-4-5: prompt and completion tokens as the Anthropic endpoint reports them", async () => {
    const text = "How many tokens is this exactly? [[words:5]]";
    const json = await client.chat.completions.create({ model: "claude-haiku-4-5", messages: user(text) });
    const direct = await new Anthropic({ baseURL: gw.mock.url, apiKey: "direct", maxRetries: 0 }).messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 4096,
      messages: [{ role: "user", content: text }],
    });
    expect(json.usage).toEqual({
      prompt_tokens: direct.usage.input_tokens,
      completion_tokens: direct.usage.output_tokens,
      total_tokens: direct.usage.input_tokens + direct.usage.output_tokens,
      prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
    });
  });
});

describe("embeddings through each provider", () => {
  it.each(["text-embedding-3-small", "gemini-embedding-001"])("%s returns one unit-length vector per input, with usage", async (model) => {
    const { data, response } = await client.embeddings
      .create({ model, input: ["first text", "second text"], encoding_format: "float" })
      .withResponse();
    expect(response.headers.get("x-edgeway-model")).toMatch(new RegExp(`/${model}$`));
    expect(data.data.map((d) => d.index)).toEqual([0, 1]);
    for (const d of data.data) expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 5);
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("Azure's wire shape", () => {
  it("calls the deployment URL with api-version and the api-key header, never a bearer token", async () => {
    await client.chat.completions.create({ model: "gpt-4o-mini-azure", messages: user("shape check") });
    const [sent] = gw.mock.control.requests(1);
    expect(sent?.path).toBe("/openai/deployments/gpt-4o-mini/chat/completions");
    expect(sent?.url).toMatch(/\?api-version=\d{4}-\d{2}-\d{2}/);
    expect(sent?.headers["api-key"]).toMatch(/^\[redacted:/);
    expect(sent?.headers.authorization).toBeUndefined();
  });
});
