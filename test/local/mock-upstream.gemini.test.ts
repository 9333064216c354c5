import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../../local/mock-upstream/server";
import { countTokens } from "../../local/mock-upstream/tokens";

let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.control.reset();
  mock.resetStats();
});

// biome-ignore lint/suspicious/noExplicitAny: wire JSON
type Json = any;

function post(path: string, body: unknown, headers: Record<string, string> = { "x-goog-api-key": "k" }): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function sse(res: Response): Promise<Json[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((f) => f.startsWith("data: "))
    .map((f) => JSON.parse(f.slice("data: ".length)));
}

const req = {
  systemInstruction: { parts: [{ text: "Be brief." }] },
  contents: [{ role: "user", parts: [{ text: "Hello there" }] }],
};

const weather = {
  functionDeclarations: [
    {
      name: "get_weather",
      description: "Weather for a city",
      parameters: {
        type: "OBJECT",
        properties: { city: { type: "STRING" }, days: { type: "INTEGER", minimum: 1, maximum: 3 } },
      },
    },
  ],
};

describe("generateContent", () => {
  it("answers candidates with hand-computed usageMetadata", async () => {
    const res = await post("/v1beta/models/mock-small:generateContent", req);
    expect(res.status).toBe(200);
    const r: Json = await res.json();
    expect(r.modelVersion).toBe("mock-small");
    expect(typeof r.responseId).toBe("string");
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0];
    expect(c.index).toBe(0);
    expect(c.finishReason).toBe("STOP");
    expect(c.content.role).toBe("model");
    expect(c.content.parts[0].text.startsWith("[mock-small] ")).toBe(true);
    // same rule as OpenAI: system 3 → 6; user 2 → 5; + 3 = 14; output 5 + 12
    expect(r.usageMetadata).toEqual({ promptTokenCount: 14, candidatesTokenCount: 17, totalTokenCount: 31 });
  });

  it("has the same content as OpenAI / Anthropic for the same prompt", async () => {
    const g: Json = await (await post("/v1beta/models/mock-small:generateContent", req)).json();
    const o: Json = await (
      await fetch(`${mock.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer x", "content-type": "application/json" },
        body: JSON.stringify({ model: "mock-small", messages: [{ role: "user", content: "Hello there" }] }),
      })
    ).json();
    expect(g.candidates[0].content.parts[0].text).toBe(o.choices[0].message.content);
  });

  it("honours maxOutputTokens, stopSequences, candidateCount and thoughts for reasoning models", async () => {
    const full: Json = await (await post("/v1beta/models/mock-small:generateContent", req)).json();
    const text: string = full.candidates[0].content.parts[0].text;
    const m: Json = await (
      await post("/v1beta/models/mock-small:generateContent", { ...req, generationConfig: { maxOutputTokens: 6 } })
    ).json();
    expect(m.candidates[0].finishReason).toBe("MAX_TOKENS");
    expect(m.candidates[0].content.parts[0].text).toBe(text.split(" ").slice(0, 2).join(" "));
    expect(m.usageMetadata.candidatesTokenCount).toBe(6);
    const word = text.split(" ")[5] as string;
    const s: Json = await (
      await post("/v1beta/models/mock-small:generateContent", { ...req, generationConfig: { stopSequences: [word] } })
    ).json();
    expect(s.candidates[0].finishReason).toBe("STOP");
    expect(s.candidates[0].content.parts[0].text).toBe(text.slice(0, text.indexOf(word)));
    const n: Json = await (
      await post("/v1beta/models/mock-small:generateContent", { ...req, generationConfig: { candidateCount: 2 } })
    ).json();
    expect(n.candidates.map((c: Json) => c.index)).toEqual([0, 1]);
    expect(n.usageMetadata.candidatesTokenCount).toBe(34);
    const r: Json = await (await post("/v1beta/models/mock-reason:generateContent", req)).json();
    expect(r.usageMetadata).toEqual({
      promptTokenCount: 14,
      candidatesTokenCount: 17,
      thoughtsTokenCount: 17,
      totalTokenCount: 48,
    });
    mock.control.set({ cachedTokenFraction: 0.5 });
    const c: Json = await (await post("/v1beta/models/mock-small:generateContent", req)).json();
    expect(c.usageMetadata.cachedContentTokenCount).toBe(7);
  });

  it("returns JSON for responseMimeType application/json with a schema", async () => {
    const r: Json = await (
      await post("/v1beta/models/mock-small:generateContent", {
        ...req,
        generationConfig: {
          responseMimeType: "application/json",
          responseSchema: { type: "OBJECT", properties: { title: { type: "STRING" }, count: { type: "INTEGER" } } },
        },
      })
    ).json();
    const obj = JSON.parse(r.candidates[0].content.parts[0].text);
    expect(typeof obj.title).toBe("string");
    expect(Number.isInteger(obj.count)).toBe(true);
  });

  it("answers functionCall parts for functionDeclarations", async () => {
    const r: Json = await (
      await post("/v1beta/models/mock-small:generateContent", {
        contents: [{ role: "user", parts: [{ text: "call get_weather" }] }],
        tools: [weather],
      })
    ).json();
    const part = r.candidates[0].content.parts[0];
    expect(part.functionCall.name).toBe("get_weather");
    expect(typeof part.functionCall.args.city).toBe("string");
    expect([1, 2, 3]).toContain(part.functionCall.args.days);
    expect(r.candidates[0].finishReason).toBe("STOP");
    expect(r.usageMetadata.candidatesTokenCount).toBe(countTokens(JSON.stringify(part.functionCall.args)));
    expect(r.usageMetadata.promptTokenCount).toBe(3 + 3 + 4 + countTokens(JSON.stringify([weather])));
    const any: Json = await (
      await post("/v1beta/models/mock-small:generateContent", {
        ...req,
        tools: [weather],
        toolConfig: { functionCallingConfig: { mode: "ANY" } },
      })
    ).json();
    expect(any.candidates[0].content.parts[0].functionCall.name).toBe("get_weather");
    const after: Json = await (
      await post("/v1beta/models/mock-small:generateContent", {
        tools: [weather],
        contents: [
          { role: "user", parts: [{ text: "call get_weather" }] },
          { role: "model", parts: [{ functionCall: { name: "get_weather", args: {} } }] },
          { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { sky: "clear" } } }] },
        ],
      })
    ).json();
    expect(typeof after.candidates[0].content.parts[0].text).toBe("string");
  });
});

describe("streamGenerateContent", () => {
  it("alt=sse: one word per chunk, usage on the last chunk equal to the JSON usage", async () => {
    const json: Json = await (await post("/v1beta/models/mock-small:generateContent", req)).json();
    const res = await post("/v1beta/models/mock-small:streamGenerateContent?alt=sse", req);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const chunks = await sse(res);
    expect(chunks).toHaveLength(13);
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join("")).toBe(json.candidates[0].content.parts[0].text);
    expect(chunks.slice(0, -1).every((c) => c.usageMetadata === undefined && c.candidates[0].finishReason === undefined)).toBe(true);
    const last = chunks.at(-1);
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata).toEqual(json.usageMetadata);
    expect(new Set(chunks.map((c) => c.responseId)).size).toBe(1);
  });

  it("streams functionCall parts whole", async () => {
    const chunks = await sse(
      await post("/v1beta/models/mock-small:streamGenerateContent?alt=sse", {
        contents: [{ parts: [{ text: "call get_weather" }] }],
        tools: [weather],
      }),
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0].candidates[0].content.parts[0].functionCall.name).toBe("get_weather");
  });

  it("without alt=sse streams a JSON array", async () => {
    const r: Json = await (await post("/v1beta/models/mock-small:streamGenerateContent", req)).json();
    expect(Array.isArray(r)).toBe(true);
    expect(r).toHaveLength(13);
    expect(r.at(-1).usageMetadata.promptTokenCount).toBe(14);
  });
});

describe("embeddings, models, auth, errors", () => {
  it("embedContent / batchEmbedContents", async () => {
    const one: Json = await (await post("/v1beta/models/text-embedding-004:embedContent", { content: { parts: [{ text: "hi" }] } })).json();
    expect(one.embedding.values).toHaveLength(768);
    const batch: Json = await (
      await post("/v1beta/models/text-embedding-004:batchEmbedContents", {
        requests: [
          { model: "models/text-embedding-004", content: { parts: [{ text: "hi" }] } },
          { model: "models/text-embedding-004", content: { parts: [{ text: "yo" }] }, outputDimensionality: 4 },
        ],
      })
    ).json();
    expect(batch.embeddings[0].values).toEqual(one.embedding.values);
    expect(batch.embeddings[1].values).toHaveLength(4);
  });

  it("lists models and counts tokens", async () => {
    const r: Json = await (await fetch(`${mock.url}/v1beta/models?key=k`)).json();
    expect(r.models.map((m: Json) => m.name)).toContain("models/mock-small");
    const t: Json = await (await post("/v1beta/models/mock-small:countTokens", { contents: req.contents })).json();
    expect(t.totalTokens).toBe(8);
  });

  it("takes the key from ?key= or x-goog-api-key; missing → 403 in Google's shape", async () => {
    expect((await post("/v1beta/models/mock-small:generateContent?key=abc", req, {})).status).toBe(200);
    const res = await post("/v1beta/models/mock-small:generateContent", req, {});
    expect(res.status).toBe(403);
    const body: Json = await res.json();
    expect(body.error).toMatchObject({ code: 403, status: "PERMISSION_DENIED" });
    expect(typeof body.error.message).toBe("string");
  });

  it("mock-missing → 404 NOT_FOUND; injected 503 → UNAVAILABLE with Retry-After", async () => {
    const nf = await post("/v1beta/models/mock-missing:generateContent", req);
    expect(nf.status).toBe(404);
    expect((await nf.json()).error.status).toBe("NOT_FOUND");
    mock.control.set({ failNext: 1, failureStatus: 503, retryAfter: 5 });
    const u = await post("/v1beta/models/mock-small:streamGenerateContent?alt=sse", req);
    expect(u.status).toBe(503);
    expect(u.headers.get("retry-after")).toBe("5");
    expect(await u.json()).toEqual({ error: { code: 503, message: expect.any(String), status: "UNAVAILABLE" } });
  });
});
