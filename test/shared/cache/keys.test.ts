import { describe, expect, it } from "vitest";
import { cacheControls } from "../../../shared/cache/controls";
import {
  cacheable,
  entryIdOf,
  exactHash,
  exactKey,
  SEMANTIC_MAX_TEXT_CHARS,
  SEMANTIC_MAX_USER_TURNS,
  semanticScope,
  semanticSkipReason,
} from "../../../shared/cache/keys";
import { canonicalJson, canonicalRequest } from "../../../shared/cache/normalize";
import type { ChatCompletionRequest } from "../../../shared/openai/chat-request";

const body = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: "gpt-4o-mini",
  temperature: 0,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "What is the capital of France?" },
  ],
  ...extra,
});
const user = (content: ChatCompletionRequest["messages"][number]["content"]) => ({ role: "user" as const, content });

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 1], u: undefined })).toBe('{"a":[{"c":3,"d":2},1],"b":1}');
  });
});

describe("canonicalRequest", () => {
  it("drops answer-neutral fields and nulls, folds n: 1, a stop string and a single text part", () => {
    const canonical = canonicalRequest({
      ...body(),
      stream: true,
      stream_options: { include_usage: true },
      user: "u-1",
      metadata: { a: 1 },
      n: 1,
      stop: "END",
      seed: null,
      messages: [user([{ type: "text", text: "Hi" }])],
    } as ChatCompletionRequest);
    expect(canonical).toEqual({ model: "gpt-4o-mini", temperature: 0, stop: ["END"], messages: [{ role: "user", content: "Hi" }] });
  });
});

describe("exactKey", () => {
  it("is cache:<tenant>:<sha256 hex>, and entryIdOf returns the hash", async () => {
    const key = await exactKey("t-1", null, body());
    expect(key).toMatch(/^cache:t-1:[0-9a-f]{64}$/);
    expect(entryIdOf(key)).toBe(await exactHash("t-1", null, body()));
  });

  it("changes with the tenant and the variant (also inside the hash)", async () => {
    const base = await exactHash("t-1", null, body());
    expect(await exactHash("t-2", null, body())).not.toBe(base);
    expect(await exactHash("t-1", "gpt-4o-mini@2024-07-18|B", body())).not.toBe(base);
    expect(await exactHash("t-1", "", body())).toBe(base);
  });

  it("ignores fields that do not change the answer", async () => {
    const base = await exactKey("t-1", null, body());
    for (const extra of [
      { stream: true },
      { stream_options: { include_usage: true } },
      { user: "alice" },
      { metadata: { x: 1 } },
      { n: 1 },
    ]) {
      expect(await exactKey("t-1", null, body(extra as Partial<ChatCompletionRequest>))).toBe(base);
    }
  });

  it("does not depend on key order at any depth", async () => {
    const a = {
      model: "m",
      temperature: 0,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      messages: [{ role: "user", content: "x" }],
    };
    const b = {
      messages: [{ content: "x", role: "user" }],
      tools: [{ function: { parameters: { properties: {}, type: "object" }, name: "f" }, type: "function" }],
      temperature: 0,
      model: "m",
    };
    expect(await exactKey("t", null, a as ChatCompletionRequest)).toBe(await exactKey("t", null, b as ChatCompletionRequest));
  });

  it("changes with everything that changes the answer", async () => {
    const base = await exactKey("t-1", null, body());
    const variants: Partial<ChatCompletionRequest>[] = [
      { model: "gpt-4o" },
      { temperature: 0.1 },
      { top_p: 0.5 },
      { n: 2 },
      { stop: ["x"] },
      { seed: 1 },
      { max_tokens: 10 },
      { response_format: { type: "json_object" } },
      { logprobs: true },
      { tools: [{ type: "function", function: { name: "f" } }] },
      { tool_choice: "none" },
      { vendor_flag: true } as Partial<ChatCompletionRequest>,
      { messages: [{ role: "user", content: "What is the capital of France? " }] },
    ];
    const keys = await Promise.all(variants.map((v) => exactKey("t-1", null, body(v))));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
  });
});

describe("cacheable", () => {
  it("follows the tenant mode", () => {
    expect(cacheable("off", { temperature: 0 })).toBe(false);
    expect(cacheable("all", { temperature: 1.2 })).toBe(true);
    expect(cacheable("deterministic", { temperature: 0 })).toBe(true);
    expect(cacheable("deterministic", { temperature: 0.7, seed: 7 })).toBe(true);
    expect(cacheable("deterministic", { temperature: 0.7 })).toBe(false);
    expect(cacheable("deterministic", {})).toBe(false);
    expect(cacheable("deterministic", { seed: null })).toBe(false);
  });
});

describe("semanticScope", () => {
  it("embeds only the last user turn; everything else is in the scope hash", async () => {
    const a = await semanticScope("t-1", null, body());
    const b = await semanticScope("t-1", null, body({ messages: [{ role: "system", content: "Be brief." }, user("France's capital?")] }));
    expect(a?.lastUserText).toBe("What is the capital of France?");
    expect(b?.lastUserText).toBe("France's capital?");
    expect(a?.scopeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.scopeHash).toBe(a?.scopeHash);
  });

  it("changes the scope with tenant, variant, model, parameters, system prompt, history and tools", async () => {
    const scope = async (tenant: string, variant: string | null, req: ChatCompletionRequest) =>
      (await semanticScope(tenant, variant, req))?.scopeHash;
    const base = await scope("t-1", null, body());
    const others = await Promise.all([
      scope("t-2", null, body()),
      scope("t-1", "B", body()),
      scope("t-1", null, body({ model: "gpt-4o" })),
      scope("t-1", null, body({ temperature: 0.2 })),
      scope("t-1", null, body({ max_tokens: 5 })),
      scope("t-1", null, body({ messages: [{ role: "system", content: "Be verbose." }, user("What is the capital of France?")] })),
      scope("t-1", null, body({ messages: [user("Hi"), { role: "assistant", content: "Hello" }, user("What is the capital of France?")] })),
      scope("t-1", null, body({ tools: [{ type: "function", function: { name: "f" } }] })),
    ]);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
    expect(await exactHash("t-1", null, body())).not.toBe(base);
  });

  it("skips what a semantic hit could get wrong", async () => {
    const cases: [Partial<ChatCompletionRequest>, string][] = [
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [
        {
          messages: [
            user("weather?"),
            { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }] },
            { role: "tool", tool_call_id: "c1", content: "sunny" },
            user("and tomorrow?"),
          ],
        },
        "tool-messages",
      ],
      [{ messages: [user("hi"), { role: "assistant", content: "hello" }] }, "not-user-text"],
      [{ messages: [user("   ")] }, "not-user-text"],
      [
        {
          messages: [
            user([
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: "https://x/y.png" } },
            ]),
          ],
        },
        "non-text-part",
      ],
      [
        {
          messages: Array.from({ length: SEMANTIC_MAX_USER_TURNS + 1 }, (_, i) => [
            user(`q${i}`),
            { role: "assistant" as const, content: "a" },
          ])
            .flat()
            .slice(0, -1),
        },
        "long-conversation",
      ],
      [{ messages: [user("x".repeat(SEMANTIC_MAX_TEXT_CHARS + 1))] }, "text-length"],
    ];
    for (const [extra, reason] of cases) {
      expect(semanticSkipReason(body(extra)), reason).toBe(reason);
      expect(await semanticScope("t-1", null, body(extra))).toBeNull();
    }
    expect(semanticSkipReason(body())).toBeNull();
  });
});

describe("cacheControls", () => {
  const controls = (headers: Record<string, string>) => cacheControls(new Headers(headers), { defaultTtlSeconds: 600 });

  it("reads and writes with the tenant TTL by default", () => {
    expect(controls({})).toEqual({ read: true, write: true, ttlSeconds: 600, statusWhenNotRead: "miss" });
  });

  it("no-cache skips the lookup but stores; no-store does neither and reports bypass", () => {
    expect(controls({ "cache-control": "no-cache" })).toMatchObject({ read: false, write: true, statusWhenNotRead: "miss" });
    expect(controls({ "Cache-Control": "max-age=0, No-Store" })).toMatchObject({ read: false, write: false, statusWhenNotRead: "bypass" });
  });

  it("honours x-edgeway-cache-ttl, clamps it, and ignores garbage", () => {
    expect(controls({ "x-edgeway-cache-ttl": "30" }).ttlSeconds).toBe(30);
    expect(controls({ "x-edgeway-cache-ttl": "0" })).toMatchObject({ ttlSeconds: 0, write: false, read: true });
    expect(controls({ "x-edgeway-cache-ttl": "99999999" }).ttlSeconds).toBe(30 * 24 * 3600);
    expect(controls({ "x-edgeway-cache-ttl": "-5" }).ttlSeconds).toBe(600);
    expect(controls({ "x-edgeway-cache-ttl": "1.5" }).ttlSeconds).toBe(600);
  });
});
