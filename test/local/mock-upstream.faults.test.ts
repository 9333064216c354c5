import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redacted } from "../../local/mock-upstream/control";
import { type MockUpstream, startMockUpstream } from "../../local/mock-upstream/server";

let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream({ seed: 1234 });
});
afterAll(() => mock.close());
beforeEach(() => {
  mock.control.reset();
  mock.resetStats();
});

const hello = [{ role: "user" as const, content: "Hello there" }];
const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "mock-small", messages: hello, ...extra });

function chat(
  prefix = "",
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${mock.url}${prefix}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-test", "content-type": "application/json", ...headers },
    body: chatBody(extra),
    signal,
  });
}

function sdk(prefix = "", maxRetries = 0): OpenAI {
  return new OpenAI({ baseURL: `${mock.url}${prefix}/v1`, apiKey: "x", maxRetries });
}

async function control(method: string, body?: unknown, path = "/__control"): Promise<Response> {
  return fetch(`${mock.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads a streamed body as text until it ends or errors; reports which. */
async function drain(res: Response): Promise<{ text: string; error: unknown }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += dec.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

describe("latency", () => {
  it("latencyMs delays the headers; x-mock-latency-ms overrides it per request", async () => {
    mock.control.set({ latencyMs: 150 });
    let t = Date.now();
    expect((await chat()).status).toBe(200);
    const elapsed = Date.now() - t;
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(3000);
    mock.control.reset();
    t = Date.now();
    expect((await chat("", {}, { "x-mock-latency-ms": "120" })).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(115);
  });

  it("ttftMs delays the first chunk but not the headers; interChunkMs spaces the chunks", async () => {
    mock.control.set({ ttftMs: 200, interChunkMs: 30 });
    const t = Date.now();
    const res = await chat("", { stream: true, messages: [{ role: "user", content: "hi [[words:4]]" }] });
    const headersAt = Date.now() - t;
    expect(headersAt).toBeLessThan(180);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(Date.now() - t).toBeGreaterThanOrEqual(195);
    while (!(await reader.read()).done) {}
    // frames: role, 5 content, finish, [DONE] = 8 → 7 gaps of 30 ms after the ttft
    expect(Date.now() - t).toBeGreaterThanOrEqual(200 + 7 * 30 - 10);
  });

  it("non-stream answers wait ttftMs + interChunkMs × (pieces − 1) before the headers", async () => {
    mock.control.set({ ttftMs: 50, interChunkMs: 20 });
    const t = Date.now();
    await (await chat("", { messages: [{ role: "user", content: "hi [[words:4]]" }] })).json();
    expect(Date.now() - t).toBeGreaterThanOrEqual(50 + 4 * 20 - 5);
  });
});

describe("faults", () => {
  it("status with Retry-After, in the provider's error shape", async () => {
    mock.control.set({ fault: "status", failureStatus: 429, retryAfter: 7 });
    const res = await chat();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect((await res.json()).error.code).toBe("rate_limit_exceeded");
    const err = await sdk()
      .chat.completions.create({ model: "mock-small", messages: hello })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(mock.stats().errors).toBe(2);
  });

  it("x-mock-fail-status forces a status for one request", async () => {
    const res = await chat("", {}, { "x-mock-fail-status": "503" });
    expect(res.status).toBe(503);
    expect((await chat()).status).toBe(200);
  });

  it("reset destroys the socket: fetch fails, the SDK throws APIConnectionError", async () => {
    mock.control.set({ fault: "reset" });
    await expect(chat()).rejects.toThrow();
    const err = await sdk()
      .chat.completions.create({ model: "mock-small", messages: hello })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    await until(() => mock.stats().errors === 2);
    expect(mock.stats().aborted).toBe(0);
  });

  it("midstream-cut streams some chunks then drops the connection without [DONE]", async () => {
    mock.control.set({ fault: "midstream-cut", cutAfterChunks: 3 });
    const res = await chat("", { stream: true });
    expect(res.status).toBe(200);
    const { text, error } = await drain(res);
    expect(error).toBeTruthy();
    expect(text.split("\n\n").filter((f) => f.startsWith("data: "))).toHaveLength(3);
    expect(text).not.toContain("[DONE]");

    const stream = await sdk().chat.completions.create({ model: "mock-small", messages: hello, stream: true });
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const c of stream) got.push(c.choices[0]?.delta.content ?? "");
      })(),
    ).rejects.toThrow();
    expect(got.length).toBe(3);
  });

  it("midstream-cut on a JSON answer sends a truncated body", async () => {
    mock.control.set({ fault: "midstream-cut" });
    const err = await sdk()
      .chat.completions.create({ model: "mock-small", messages: hello })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it("failNext fails exactly N requests, then recovers (SDK retries through it)", async () => {
    mock.control.set({ failNext: 2 });
    expect((await chat()).status).toBe(500);
    expect((await chat()).status).toBe(500);
    expect((await chat()).status).toBe(200);
    expect((await chat()).status).toBe(200);
    expect(mock.control.get().default?.failNext).toBe(0);

    mock.control.set({ failNext: 1, fault: "reset" });
    const r = await sdk("", 1).chat.completions.create({ model: "mock-small", messages: hello });
    expect(r.choices).toHaveLength(1);
    expect(mock.stats().requests).toBe(6);
  });

  it("failureRate is reproducible for a seed and differs across seeds", async () => {
    const draw = async (m: MockUpstream) => {
      let s = "";
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${m.url}/v1/models`, { headers: { authorization: "Bearer x" } });
        await res.arrayBuffer();
        s += res.status === 200 ? "." : "x";
      }
      return s;
    };
    const pattern = async (m: MockUpstream, cfg: Record<string, unknown> = {}) => {
      m.control.reset();
      m.control.set({ failureRate: 0.5, ...cfg });
      return draw(m);
    };
    const a = await pattern(mock);
    expect(await pattern(mock)).toBe(a);
    const fails = a.split("").filter((c) => c === "x").length;
    expect(fails).toBeGreaterThan(8);
    expect(fails).toBeLessThan(32);
    const other = await startMockUpstream({ seed: 99 });
    let b: string;
    try {
      b = await pattern(other);
      expect(b).not.toBe(a);
    } finally {
      await other.close();
    }
    // `seed` in the config reseeds that deployment exactly like the server seed does
    expect(await pattern(mock, { seed: 99 })).toBe(b);
    mock.control.set({ seed: 99 });
    expect(await draw(mock)).toBe(b);
  });

  it("slow-first-byte waits slowFirstByteMs, then answers normally", async () => {
    mock.control.set({ fault: "slow-first-byte", slowFirstByteMs: 200 });
    const t = Date.now();
    const res = await chat();
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(195);
    expect((await res.json()).choices).toHaveLength(1);
  });

  it("hang never answers; a client abort is counted in `aborted`", async () => {
    mock.control.set({ fault: "hang" });
    const ac = new AbortController();
    const p = chat("", {}, {}, ac.signal);
    await until(() => mock.stats().inFlight === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(mock.stats().inFlight).toBe(1);
    ac.abort();
    await expect(p).rejects.toThrow();
    await until(() => mock.stats().aborted === 1);
    expect(mock.stats().inFlight).toBe(0);
    expect(mock.stats().errors).toBe(0);
  });

  it("a client leaving mid-stream is counted in `aborted` and the stream stops", async () => {
    mock.control.set({ interChunkMs: 40 });
    const ac = new AbortController();
    const res = await chat("", { stream: true }, {}, ac.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    ac.abort();
    await until(() => mock.stats().aborted === 1);
    expect(mock.stats().inFlight).toBe(0);
  });
});

describe("deployments", () => {
  it("isolates faults and stats per deployment; '*' applies everywhere, own keys win", async () => {
    mock.control.set({ "eu-west": { fault: "status", failureStatus: 503 } });
    expect((await chat("/d/eu-west")).status).toBe(503);
    expect((await chat("/d/us-east")).status).toBe(200);
    expect((await chat()).status).toBe(200);
    const s = mock.stats();
    expect(s["deployment:eu-west:requests"]).toBe(1);
    expect(s["deployment:eu-west:errors"]).toBe(1);
    expect(s["deployment:us-east:errors"]).toBe(0);
    expect(s["deployment:default:requests"]).toBe(1);
    expect(s["deployment:default:chat"]).toBe(1);
    expect(s.requests).toBe(3);
    expect(s.errors).toBe(1);

    mock.control.set({ "*": { fault: "status", failureStatus: 502 }, "us-east": { failureStatus: 504 } });
    expect((await chat()).status).toBe(502);
    expect((await chat("/d/us-east")).status).toBe(504);
    expect((await chat("/d/eu-west")).status).toBe(503);
  });

  it("the SDK works against a deployment prefix; /d/<name>/__control targets that deployment", async () => {
    const r = await sdk("/d/ap-south").chat.completions.create({ model: "mock-small", messages: hello });
    expect(r.choices[0]?.message.content).toMatch(/^\[mock-small\] /);
    const put = await control("PUT", { failNext: 1 }, "/d/ap-south/__control");
    expect(await put.json()).toEqual({ "ap-south": { failNext: 1 } });
    expect((await chat()).status).toBe(200);
    expect((await chat("/d/ap-south")).status).toBe(500);
    expect((await chat("/d/ap-south")).status).toBe(200);
  });
});

describe("control API over HTTP", () => {
  it("GET/PUT/POST/DELETE /__control", async () => {
    expect(await (await control("GET")).json()).toEqual({});
    await control("PUT", { default: { latencyMs: 5 }, x: { failureRate: 0.1 } });
    await control("POST", { latencyMs: 7, ttftMs: 3 });
    expect(await (await control("GET")).json()).toEqual({
      default: { latencyMs: 7, ttftMs: 3 },
      x: { failureRate: 0.1 },
    });
    await control("PUT", { default: { ttftMs: null } });
    expect((await (await control("GET")).json()).default).toEqual({ latencyMs: 7 });
    const bad = await control("PUT", { default: { fault: "explode" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("fault");
    expect((await control("PUT", { default: { nope: 1 } })).status).toBe(400);
    expect((await control("PUT", { failureRate: 2 })).status).toBe(400);
    await control("DELETE");
    expect(await (await control("GET")).json()).toEqual({});
    expect(mock.controlUrl).toBe(`${mock.url}/__control`);
  });

  it("GET/DELETE /__stats mirrors stats()/resetStats()", async () => {
    await chat("", { stream: true }).then((r) => r.text());
    await fetch(`${mock.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: "Bearer x" },
      body: JSON.stringify({ model: "e", input: "a" }),
    }).then((r) => r.text());
    const s = await (await fetch(mock.statsUrl)).json();
    expect(s).toEqual(mock.stats());
    expect(s).toMatchObject({
      requests: 2,
      chat: 1,
      embeddings: 1,
      streams: 1,
      errors: 0,
      aborted: 0,
      inFlight: 0,
      maxInFlight: 1,
    });
    await fetch(mock.statsUrl, { method: "DELETE" });
    expect(mock.stats()).toMatchObject({ requests: 0, chat: 0, streams: 0 });
  });

  it("counts maxInFlight under concurrency", async () => {
    mock.control.set({ latencyMs: 100 });
    await Promise.all([1, 2, 3, 4, 5].map(() => chat().then((r) => r.text())));
    expect(mock.stats().maxInFlight).toBe(5);
    expect(mock.stats().inFlight).toBe(0);
  });
});

describe("request log", () => {
  it("records what was sent upstream, credentials redacted", async () => {
    const stream = await sdk("/d/eu-west").chat.completions.create({
      model: "mock-small",
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
    }
    await fetch(`${mock.url}/v1beta/models/mock-small:generateContent?key=secret-key`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
    }).then((r) => r.text());

    const { requests } = await (await fetch(`${mock.controlUrl}/requests?limit=2`)).json();
    expect(requests).toHaveLength(2);
    const [first, second] = requests;
    expect(first).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      url: "/d/eu-west/v1/chat/completions",
      deployment: "eu-west",
    });
    expect(first.body.stream_options).toEqual({ include_usage: true });
    expect(first.body.messages).toEqual(hello);
    expect(first.headers.authorization).toBe(redacted("Bearer x"));
    expect(first.headers.authorization).not.toContain("Bearer");
    expect(second.deployment).toBe("default");
    expect(second.url).toBe("/v1beta/models/mock-small:generateContent?key=[redacted]");
    expect(JSON.stringify(requests)).not.toContain("secret-key");
    expect(mock.control.requests(1)).toEqual([second]);
  });

  it("is a bounded ring buffer", async () => {
    const small = await startMockUpstream({ requestLogSize: 3 });
    try {
      for (let i = 0; i < 5; i++) {
        await fetch(`${small.url}/v1/models`, { headers: { authorization: "Bearer x", "x-i": String(i) } }).then((r) => r.text());
      }
      expect(small.control.requests().map((r) => r.headers["x-i"])).toEqual(["2", "3", "4"]);
      expect(small.control.requests(2).map((r) => r.headers["x-i"])).toEqual(["3", "4"]);
      await fetch(`${small.controlUrl}/requests`, { method: "DELETE" });
      expect(small.control.requests()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it("close() ends hanging requests too", async () => {
    const m = await startMockUpstream();
    m.control.set({ fault: "hang" });
    const p = fetch(`${m.url}/v1/models`, { headers: { authorization: "Bearer x" } }).catch((e) => e);
    await until(() => m.stats().inFlight === 1);
    await m.close();
    expect(await p).toBeInstanceOf(Error);
  });
});
