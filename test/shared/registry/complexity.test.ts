import { describe, expect, it } from "vitest";
import {
  type Complexity,
  classifyComplexity,
  complexityOverride,
  type RoutableRequest,
  routeByComplexity,
} from "../../../shared/registry/complexity";
import { RoutingSettings } from "../../../shared/registry/settings";

type Messages = RoutableRequest["messages"];
const user = (content: Messages[number]["content"]): Messages[number] => ({ role: "user", content });
const req = (messages: Messages, extra: Partial<RoutableRequest> = {}): RoutableRequest => ({ model: "mock-large", messages, ...extra });
const rules = { simpleModel: "mock-small" };

describe("classifyComplexity", () => {
  const cases: [string, RoutableRequest, Complexity][] = [
    ["a short question", req([user("What are your opening hours?")]), "simple"],
    ["a short question with a short system prompt", req([{ role: "system", content: "Be brief." }, user("Hi!")]), "simple"],
    [
      "prose with code-like English words",
      req([user("I want to return my order; the class was cancelled. Go to Settings -> Billing?")]),
      "simple",
    ],
    ["text parts only", req([user([{ type: "text", text: "hello" }])]), "simple"],
    ["tools", req([user("weather?")], { tools: [{ type: "function", function: { name: "weather" } }] }), "tools"],
    ["legacy functions", req([user("weather?")], { functions: [{ name: "weather" }] }), "tools"],
    [
      "a tool result in the history",
      req([user("weather?"), { role: "assistant", content: null, tool_calls: [] }, { role: "tool", content: "sunny", tool_call_id: "1" }]),
      "tools",
    ],
    [
      "an image",
      req([
        user([
          { type: "text", text: "what is this" },
          { type: "image_url", image_url: { url: "data:," } },
        ]),
      ]),
      "media",
    ],
    ["audio", req([user([{ type: "input_audio", input_audio: { data: "", format: "wav" } }])]), "media"],
    ["a fenced block", req([user("fix this:\n```\nx\n```")]), "code"],
    ["a JS function", req([user("why does function add(a, b) { return a + b } fail")]), "code"],
    ["an arrow function", req([user("const f = (x) => x * 2")]), "code"],
    ["python", req([user("def handler(event):\n    pass")]), "code"],
    ["an import", req([user("import React from 'react'")]), "code"],
    ["SQL", req([user("SELECT id, name FROM users")]), "code"],
    ["a statement per line", req([user("x = 1;\ny = 2;")]), "code"],
    ["HTML", req([user("what does <div class='a'> do")]), "code"],
    ["a long prompt", req([user("a".repeat(401))]), "length"],
    ["exactly the limit", req([user("a".repeat(400))]), "simple"],
    ["a long system prompt counts", req([{ role: "system", content: "s".repeat(300) }, user("u".repeat(101))]), "length"],
    [
      "many turns",
      req([user("a"), { role: "assistant", content: "b" }, user("c"), { role: "assistant", content: "d" }, user("e")]),
      "turns",
    ],
    ["four turns", req([user("a"), { role: "assistant", content: "b" }, user("c"), { role: "assistant", content: "d" }]), "simple"],
  ];
  it.each(cases)("%s", (_name, body, expected) => {
    expect(classifyComplexity(body)).toBe(expected);
  });

  it("honours custom limits", () => {
    expect(classifyComplexity(req([user("a".repeat(500))]), { maxChars: 1000 })).toBe("simple");
    expect(classifyComplexity(req([user("a"), { role: "assistant", content: "b" }]), { maxTurns: 1 })).toBe("turns");
  });
});

describe("routeByComplexity", () => {
  it.each([
    ["simple → the cheap model", req([user("hi")]), null, { model: "mock-small", reason: "simple" }],
    ["complex stays", req([user("```js\n```")]), null, null],
    ["override simple wins over the rules", req([user("```js\n```")]), "simple", { model: "mock-small", reason: "override" }],
    ["override complex wins over the rules", req([user("hi")]), "complex", null],
    ["already the cheap model", req([user("hi")], { model: "mock-small" }), null, null],
  ] as const)("%s", (_name, body, override, expected) => {
    expect(routeByComplexity(body, rules, override)).toEqual(expected);
  });

  it("parses the x-edgeway-route header", () => {
    expect(complexityOverride("simple")).toBe("simple");
    expect(complexityOverride(" Complex ")).toBe("complex");
    expect(complexityOverride("cheap")).toBeNull();
    expect(complexityOverride(undefined)).toBeNull();
  });
});

describe("RoutingSettings", () => {
  it("accepts residency and complexity rules, normalising the residency", () => {
    expect(RoutingSettings.parse({ residency: " EU ", complexity: { simpleModel: "mock-small", maxChars: 200 } })).toEqual({
      residency: "eu",
      complexity: { simpleModel: "mock-small", maxChars: 200 },
    });
    expect(RoutingSettings.parse({})).toEqual({});
  });

  it("refuses malformed settings", () => {
    expect(RoutingSettings.safeParse({ residency: "eu west" }).success).toBe(false);
    expect(RoutingSettings.safeParse({ complexity: { maxChars: 10 } }).success).toBe(false);
    expect(RoutingSettings.safeParse({ complexity: { simpleModel: "m", maxChars: 0 } }).success).toBe(false);
    expect(RoutingSettings.safeParse({ region: "eu" }).success).toBe(false);
  });
});
