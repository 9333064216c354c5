import { describe, expect, it } from "vitest";
import { workersAi } from "../../../../shared/providers/workers-ai";
import chatJson from "../../../fixtures/providers/workers-ai/chat.result.json";
import chatSse from "../../../fixtures/providers/workers-ai/chat.stream.sse?raw";
import toolCallsSse from "../../../fixtures/providers/workers-ai/tool-calls.stream.sse?raw";
import { layouts, pieces, replay } from "../../../helpers/workers/sse-replay";

const meta = { id: "chatcmpl-edgeway-1", created: 1_700_000_000, model: "llama-alias" };
const head = { id: "chatcmpl-edgeway-1", object: "chat.completion.chunk", created: 1_700_000_000, model: "llama-alias" } as const;

const events = (...data: unknown[]) => {
  const translator = workersAi.chatStream(meta);
  const out = data.map((d) => translator.event({ data: typeof d === "string" ? d : JSON.stringify(d) }));
  return { out, translator };
};

describe("workers-ai chatStream", () => {
  it("gives the same chunks at every byte split, adding up to the non-streamed answer", async () => {
    const { chunks: reference } = await replay(pieces(chatSse, []), workersAi.chatStream(meta));
    expect(reference).toHaveLength(8);
    for (const cuts of layouts(chatSse)) {
      const { chunks, error } = await replay(pieces(chatSse, cuts), workersAi.chatStream(meta));
      expect(error, `cuts ${cuts}`).toBeUndefined();
      expect(chunks, `cuts ${cuts}`).toEqual(reference);
    }
    const expected = workersAi.chatResponse(chatJson, meta);
    expect(reference.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(expected.choices[0]?.message.content);
    expect(reference.at(-1)).toEqual({ ...head, choices: [], usage: expected.usage });
  });

  it("assembles tool calls streamed in pieces into OpenAI's indexed deltas", async () => {
    for (const cuts of layouts(toolCallsSse).slice(0, 12)) {
      const { chunks, error } = await replay(pieces(toolCallsSse, cuts), workersAi.chatStream(meta));
      expect(error).toBeUndefined();
      expect(chunks).toEqual([
        {
          ...head,
          choices: [
            {
              index: 0,
              delta: {
                role: "assistant",
                tool_calls: [{ index: 0, id: "chatcmpl-tool-8d3b1c", type: "function", function: { name: "getWeather", arguments: "" } }],
              },
              finish_reason: null,
            },
          ],
        },
        {
          ...head,
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"latitude": "51.5' } }] }, finish_reason: null },
          ],
        },
        {
          ...head,
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: '074", "longitude": "-0.1278"}' } }] },
              finish_reason: null,
            },
          ],
        },
        { ...head, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
        { ...head, choices: [], usage: { prompt_tokens: 212, completion_tokens: 27, total_tokens: 239 } },
      ]);
    }
  });

  it("numbers whole native tool calls one after another", () => {
    const { out } = events(
      { response: "", tool_calls: [{ name: "a", arguments: { x: 1 } }] },
      { response: "", tool_calls: [{ name: "b", arguments: "{}" }] },
    );
    expect(out.flatMap((o) => (Array.isArray(o) ? o.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []) : []))).toEqual([
      { index: 0, id: "call_chatcmpl-edgeway-1_0", type: "function", function: { name: "a", arguments: '{"x":1}' } },
      { index: 1, id: "call_chatcmpl-edgeway-1_1", type: "function", function: { name: "b", arguments: "{}" } },
    ]);
  });

  it("reads events in OpenAI's shape, with their finish reason and reasoning", () => {
    const { out } = events(
      { choices: [{ index: 0, delta: { role: "assistant", reasoning_content: "Thinking…" } }] },
      { choices: [{ index: 0, delta: { content: "Paris" }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: "length" }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
      "[DONE]",
    );
    expect(out).toEqual([
      [{ ...head, choices: [{ index: 0, delta: { role: "assistant", reasoning_content: "Thinking…" }, finish_reason: null }] }],
      [{ ...head, choices: [{ index: 0, delta: { content: "Paris" }, finish_reason: null }] }],
      [],
      [
        { ...head, choices: [{ index: 0, delta: {}, finish_reason: "length" }] },
        { ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
      ],
    ]);
  });

  it("stringifies a JSON-mode object and closes an empty answer with the role", () => {
    expect(events({ response: { name: "India" } }).out).toEqual([
      [{ ...head, choices: [{ index: 0, delta: { role: "assistant", content: '{"name":"India"}' }, finish_reason: null }] }],
    ]);
    const { out, translator } = events("[DONE]", { response: "late" });
    expect(out).toEqual([[{ ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: "stop" }] }], []]);
    expect(translator.usage()).toBeUndefined();
    expect(translator.end()).toEqual([]);
  });

  it("requires [DONE]", () => {
    const { translator } = events(
      { response: "Hello" },
      { response: "", usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
    );
    expect(translator.usage()).toEqual({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
    expect(translator.end()).toEqual({ kind: "server", status: 502, message: "The Workers AI stream ended before [DONE]" });
  });

  it("turns an error event or a non-JSON event into an UpstreamError", () => {
    expect(events({ errors: [{ code: 3040, message: "3040: Capacity temporarily exceeded" }] }).out[0]).toEqual({
      kind: "overloaded",
      status: 500,
      message: "3040: Capacity temporarily exceeded",
    });
    expect(events("{not json").out[0]).toEqual({ kind: "server", status: 502, message: "Workers AI sent a stream event that is not JSON" });
  });
});
