import { describe, expect, it } from "vitest";
import { completionText, requestedWords, shapeText, streamPieces, tokenStrings } from "../../local/mock-upstream/content";
import { FaultController } from "../../local/mock-upstream/faults";
import { cachedTokens, countTokens, IMAGE_TOKENS, promptTokens, TOKEN_PATTERN } from "../../local/mock-upstream/tokens";
import { fakeFromSchema, pickTools } from "../../local/mock-upstream/tools";

describe("token rule", () => {
  it("counts alphanumeric runs and single non-space symbols", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("   \n\t")).toBe(0);
    expect(countTokens("Hello there")).toBe(2);
    expect(countTokens("Hi, you!")).toBe(4);
    expect(countTokens("get_weather")).toBe(3);
    expect(countTokens("[mock-small]")).toBe(5);
    expect(countTokens("abc123 4.5")).toBe(4);
    expect(countTokens("héllo")).toBe(3);
    expect(countTokens("👍👍")).toBe(2);
    expect(countTokens('{"a":1}')).toBe(7);
    expect(TOKEN_PATTERN.flags).toContain("u");
  });

  it("prompt = Σ(message + 3) + 3, images 85, tools as JSON", () => {
    expect(promptTokens([{ textTokens: 2, images: 0 }])).toBe(8);
    expect(
      promptTokens([
        { textTokens: 3, images: 0 },
        { textTokens: 2, images: 0 },
      ]),
    ).toBe(14);
    expect(promptTokens([{ textTokens: 0, images: 2 }])).toBe(6 + 2 * IMAGE_TOKENS);
    expect(promptTokens([], [{ a: 1 }])).toBe(3 + countTokens('[{"a":1}]'));
    expect(promptTokens([], [])).toBe(3);
    expect(cachedTokens(15, 0.5)).toBe(7);
    expect(cachedTokens(15, undefined)).toBe(0);
  });
});

describe("content", () => {
  it("is deterministic and honours [[words:N]]", () => {
    expect(completionText("m", "hi", undefined, 0)).toBe(completionText("m", "hi", undefined, 0));
    expect(completionText("m", "hi", 1, 0)).not.toBe(completionText("m", "hi", 2, 0));
    expect(completionText("m", "hi", undefined, 0)).not.toBe(completionText("m", "hi", undefined, 1));
    expect(requestedWords("x")).toBe(12);
    expect(requestedWords("x [[words:0]]")).toBe(0);
    expect(requestedWords("[[words:99999]]")).toBe(10_000);
    expect(completionText("m", "[[words:0]]", undefined, 0)).toBe("[m]");
    expect(countTokens(completionText("mock-small", "[[words:50]]", undefined, 0))).toBe(55);
  });

  it("cuts at stop sequences, then at max tokens", () => {
    expect(shapeText("[m] alpha beta gamma", ["beta", "gam"], undefined)).toEqual({
      text: "[m] alpha ",
      finish: "stop_sequence",
      stopSequence: "beta",
    });
    expect(shapeText("[m] alpha beta", [], 4)).toEqual({ text: "[m] alpha", finish: "length", stopSequence: null });
    expect(shapeText("[m] alpha beta", [], 0).text).toBe("");
    expect(shapeText("[m] alpha", [], 4)).toEqual({ text: "[m] alpha", finish: "stop", stopSequence: null });
  });

  it("stream pieces and token strings concatenate back to the text", () => {
    for (const t of ["[m] alpha beta ", '{"a":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","c":[1,2,3]}', "", "one"]) {
      expect(streamPieces(t).join("")).toBe(t);
    }
    expect(streamPieces("[m] alpha beta")).toEqual(["[m]", " alpha", " beta"]);
    expect(tokenStrings("[m] alpha").join("")).toBe("[m] alpha");
    expect(tokenStrings("[m] alpha")).toHaveLength(countTokens("[m] alpha"));
  });
});

describe("tools", () => {
  const tools = [
    { name: "get_weather", schema: {} },
    { name: "ping", schema: {} },
  ];

  it("picks tools named after 'call' only when the last message is the user's", () => {
    expect(pickTools(tools, { kind: "auto" }, "please call ping and get_weather", true, true).map((t) => t.name)).toEqual([
      "ping",
      "get_weather",
    ]);
    expect(pickTools(tools, { kind: "auto" }, "please call ping and get_weather", true, false).map((t) => t.name)).toEqual(["ping"]);
    expect(pickTools(tools, { kind: "auto" }, "ping, then call nobody", true, true)).toEqual([]);
    expect(pickTools(tools, { kind: "auto" }, "recall ping", true, true)).toEqual([]);
    expect(pickTools(tools, { kind: "auto" }, "call ping", false, true)).toEqual([]);
    expect(pickTools(tools, { kind: "required" }, "hello", false, true).map((t) => t.name)).toEqual(["get_weather"]);
    expect(pickTools(tools, { kind: "named", name: "ping" }, "hello", true, true).map((t) => t.name)).toEqual(["ping"]);
    expect(pickTools(tools, { kind: "none" }, "call ping", true, true)).toEqual([]);
  });

  it("fakes values valid for simple schemas", () => {
    let n = 0;
    const rnd = () => (n++ % 10) / 10;
    const v = fakeFromSchema(
      {
        type: "object",
        properties: {
          s: { type: "string" },
          i: { type: "integer", minimum: 5, maximum: 6 },
          n: { type: ["number", "null"] },
          b: { type: "BOOLEAN" },
          e: { enum: ["x", "y"] },
          c: { const: 3 },
          a: { type: "array", items: { type: "integer" }, minItems: 3 },
          o: { anyOf: [{ type: "null" }, { type: "object", properties: { z: { type: "string", format: "date" } } }] },
        },
      },
      rnd,
    ) as Record<string, unknown>;
    expect(typeof v.s).toBe("string");
    expect([5, 6]).toContain(v.i);
    expect(typeof v.n).toBe("number");
    expect(typeof v.b).toBe("boolean");
    expect(["x", "y"]).toContain(v.e);
    expect(v.c).toBe(3);
    expect((v.a as unknown[]).length).toBeGreaterThanOrEqual(3);
    expect(v.o).toEqual({ z: "2024-01-01" });
    expect(fakeFromSchema(undefined, rnd)).toEqual({});
  });
});

describe("fault controller", () => {
  it("merges patches, deletes null keys, validates, and applies '*' under own keys", () => {
    const f = new FaultController(0);
    f.set({ latencyMs: 10 });
    f.set({ "*": { latencyMs: 20, ttftMs: 5 }, eu: { failNext: 1 } });
    expect(f.get()).toEqual({ default: { latencyMs: 10 }, "*": { latencyMs: 20, ttftMs: 5 }, eu: { failNext: 1 } });
    expect(f.plan("default", {})).toMatchObject({ latencyMs: 10, ttftMs: 5, fault: null });
    expect(f.plan("eu", {})).toMatchObject({ latencyMs: 20, fault: { kind: "status", status: 500 } });
    expect(f.plan("eu", {}).fault).toBeNull();
    expect(f.plan("other", { "x-mock-fault": "reset" }).fault?.kind).toBe("reset");
    expect(() => f.set({ default: { latencyMs: -1 } })).toThrow();
    expect(() => f.set([])).toThrow();
    f.set({ default: { latencyMs: null } });
    expect(f.get().default).toBeUndefined();
    f.reset();
    expect(f.get()).toEqual({});
  });
});
