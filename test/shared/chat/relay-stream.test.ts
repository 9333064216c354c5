import { describe, expect, it } from "vitest";
import { relayStream, type StreamOutcome } from "../../../shared/chat/relay-stream";
import { openAIStreamEncoder } from "../../../shared/chat/stream-encoder";
import { SseDecoder, sseText } from "../../../shared/openai/sse";
import { chatStream } from "../../../shared/providers/openai-compatible/response";
import { OPENAI_COMPATIBLE } from "../../../shared/providers/openai-compatible/specs";
import { layouts, pieces } from "../../helpers/workers/sse-replay";

const spec = OPENAI_COMPATIBLE.openai;

const chunk = (content: string) => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  usage: null,
});
const usageChunk = {
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};
const sse = (v: unknown) => `data: ${typeof v === "string" ? v : JSON.stringify(v)}\n\n`;
const UPSTREAM = [sse(chunk("Hé")), sse(chunk("llo")), sse(usageChunk), sse("[DONE]")].join("");

function source(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
}

/** Relays `parts`; returns each write the client got, decoded, and the outcome. */
async function relay(parts: Uint8Array[], includeUsage = false) {
  let outcome: StreamOutcome | undefined;
  const stream = relayStream({
    provider: "openai",
    upstream: source(parts),
    translator: chatStream(spec),
    includeUsage,
    encoder: openAIStreamEncoder(),
    onEnd: (o) => {
      outcome = o;
    },
  });
  const writes: string[] = [];
  const decoder = new TextDecoder();
  for await (const w of stream) writes.push(decoder.decode(w));
  return { writes, text: writes.join(""), outcome };
}

describe("SseDecoder", () => {
  it("returns the events each push completes, whatever the byte layout, with CRLF, CR and multi-line data", () => {
    const text = "event: a\r\ndata: x\r\ndata: y\r\n\r\n: comment\rdata: é\r\rid: 7\ndata: z\n\n";
    for (const cuts of layouts(text)) {
      const d = new SseDecoder();
      const events = [...pieces(text, cuts).flatMap((p) => d.push(p)), ...d.end()];
      expect(events).toEqual([{ event: "a", data: "x\ny" }, { data: "é" }, { data: "z", id: "7" }]);
    }
  });

  it("LF-only text (the fast path) and the same text with CRLF or CR decode alike, at any byte layout", () => {
    const lf = 'event: a\ndata: x\ndata: y\n\n: note\ndata: {"k":1}\n\nid: 9\ndata: z\n\n';
    const expected = [{ event: "a", data: "x\ny" }, { data: '{"k":1}' }, { data: "z", id: "9" }];
    for (const text of [lf, lf.replaceAll("\n", "\r\n"), lf.replaceAll("\n", "\r")])
      for (const cuts of layouts(text).slice(0, 20)) {
        const d = new SseDecoder();
        expect([...pieces(text, cuts).flatMap((p) => d.push(p)), ...d.end()]).toEqual(expected);
      }
  });

  it("sseText writes one data line per line of data", () => {
    expect(sseText({ data: "[DONE]" })).toBe("data: [DONE]\n\n");
    expect(sseText({ event: "error", data: "a\nb" })).toBe("event: error\ndata: a\ndata: b\n\n");
  });

  it("end() flushes an event whose blank line never came", () => {
    const d = new SseDecoder();
    expect(d.push(new TextEncoder().encode("data: 1\n\ndata: 2"))).toEqual([{ data: "1" }]);
    expect(d.end()).toEqual([{ data: "2" }]);
  });
});

describe("relayStream", () => {
  it("relays every byte layout to the same client stream, usage stripped unless asked for", async () => {
    const expected = [sse({ ...chunk("Hé"), usage: undefined }), sse({ ...chunk("llo"), usage: undefined }), sse("[DONE]")].join("");
    for (const cuts of layouts(UPSTREAM).slice(0, 12)) {
      const { text, outcome } = await relay(pieces(UPSTREAM, cuts));
      expect(text).toBe(expected);
      expect(outcome).toMatchObject({ cancelled: false, usage: usageChunk.usage });
      expect(outcome?.error).toBeUndefined();
    }
    const withUsage = await relay(pieces(UPSTREAM, []), true);
    expect(withUsage.text).toBe(UPSTREAM);
  });

  it("passes the upstream's own text through when nothing changes, and re-serialises when it cannot cut usage out", async () => {
    // upstream text the gateway would not write itself (escapes, a float): passed through as is
    const odd =
      '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null,"x":1.50}],"usage":null}';
    const tail = [sse(usageChunk), sse("[DONE]")].join("");
    const kept = await relay(pieces(`data: ${odd}\n\n${tail}`, []), true);
    expect(kept.text.startsWith(`data: ${odd}\n\n`)).toBe(true);
    const cut = await relay(pieces(`data: ${odd}\n\n${tail}`, []));
    expect(cut.text.startsWith(`data: ${odd.replace(',"usage":null}', "}")}\n\n`)).toBe(true);
    // not compact (a space after the colon): usage removed by re-serialising the object
    const spaced = odd.replace('"usage":null', '"usage": null');
    const { text } = await relay(pieces(`data: ${spaced}\n\n${tail}`, []));
    const first = JSON.parse(text.split("\n\n")[0]?.slice(6) ?? "");
    expect(first).toEqual({ ...JSON.parse(odd), usage: undefined });
    expect("usage" in first).toBe(false);
  });

  it("sends what one upstream read completed as one write", async () => {
    // all of it in one read: the chunks in one write, then [DONE] once the upstream has closed
    const { writes } = await relay(pieces(UPSTREAM, []));
    expect(writes).toEqual([sse({ ...chunk("Hé"), usage: undefined }) + sse({ ...chunk("llo"), usage: undefined }), sse("[DONE]")]);
    // one event per read: one write per visible chunk (the usage chunk is hidden)
    const perEvent = UPSTREAM.split("\n\n")
      .filter(Boolean)
      .map((e) => `${e}\n\n`);
    const split = await relay(perEvent.map((e) => new TextEncoder().encode(e)));
    expect(split.writes).toHaveLength(3);
  });

  it("an error event mid-stream ends with the chunks before it, then event: error and no [DONE]", async () => {
    const upstream = [sse(chunk("a")), sse({ error: { message: "boom", type: "server_error" } }), sse(chunk("never"))].join("");
    const { text, outcome } = await relay(pieces(upstream, []));
    expect(text.startsWith(sse({ ...chunk("a"), usage: undefined }))).toBe(true);
    expect(text).toContain("event: error\ndata: ");
    expect(text).not.toContain("never");
    expect(text).not.toContain("data: [DONE]");
    expect(outcome?.error?.code).toBeDefined();
  });

  it("an upstream that closes before [DONE] is an error, not a clean end", async () => {
    const { text, outcome } = await relay(pieces(sse(chunk("a")), []));
    expect(text).toContain("event: error");
    expect(text).not.toContain("data: [DONE]");
    expect(outcome?.error?.message).toMatch(/ended before \[DONE\]/);
    expect(outcome?.completionText).toBe("a");
  });

  it("a client that goes away mid-stream cancels the upstream, even while the relay waits for it", async () => {
    let cancelled: unknown;
    let outcome: StreamOutcome | undefined;
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(sse(chunk("first"))));
        // and then nothing more: the relay is left waiting on the upstream
      },
      cancel(reason) {
        cancelled = reason ?? "cancelled";
      },
    });
    const stream = relayStream({
      provider: "openai",
      upstream,
      translator: chatStream(spec),
      includeUsage: false,
      encoder: openAIStreamEncoder(),
      onEnd: (o) => {
        outcome = o;
      },
    });
    const reader = stream.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"first"');
    await reader.cancel("client gone");
    for (let i = 0; i < 50 && !outcome; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cancelled).toBeDefined();
    expect(outcome).toMatchObject({ cancelled: true, completionText: "first" });
  });
});
