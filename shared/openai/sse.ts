/** One Server-Sent Event. `event` is absent for the default "message" type. */
export type SseEvent = { event?: string; data: string; id?: string };

/**
 * Bytes → SSE events, per the WHATWG event-stream rules (CRLF/LF/CR line ends, multi-line data,
 * comments ignored), synchronously: each `push` returns the events its bytes completed, so a relay
 * handles everything one upstream read brought in one go. Stateful, one per stream.
 * @example const d = new SseDecoder(); for (const ev of d.push(bytes)) handle(ev); for (const ev of d.end()) handle(ev);
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  /** The events completed by these bytes (their blank line arrived). */
  push(chunk: Uint8Array): SseEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** The stream closed: whatever event was still open, if it has data. */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    const out = this.drain(true);
    if (this.buffer) this.line(this.buffer, out);
    this.buffer = "";
    this.line("", out);
    return out;
  }

  private line(text: string, out: SseEvent[]): void {
    if (text === "") {
      if (this.data.length) {
        const ev: SseEvent = { data: this.data.length === 1 ? (this.data[0] as string) : this.data.join("\n") };
        if (this.event) ev.event = this.event;
        if (this.id !== undefined) ev.id = this.id;
        out.push(ev);
      }
      this.data = [];
      this.event = undefined;
      return;
    }
    if (text.charCodeAt(0) === 58 /* ":" */) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* " " */) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    const buffer = this.buffer;
    let start = 0;
    if (!buffer.includes("\r")) {
      // LF-only text (nearly every upstream): find lines natively
      for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n", start)) {
        this.line(buffer.slice(start, nl), out);
        start = nl + 1;
      }
      this.buffer = start === 0 ? buffer : buffer.slice(start);
      return out;
    }
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      if (ch === 13 && i + 1 === buffer.length && !final) break;
      this.line(buffer.slice(start, i), out);
      if (ch === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return out;
  }
}

/**
 * The same as a stream: bytes → SSE events, each emitted as soon as its blank line arrives.
 * @example upstream.body.pipeThrough(sseParser())
 */
export function sseParser(): TransformStream<Uint8Array, SseEvent> {
  const decoder = new SseDecoder();
  return new TransformStream({
    transform(chunk, controller) {
      for (const ev of decoder.push(chunk)) controller.enqueue(ev);
    },
    flush(controller) {
      for (const ev of decoder.end()) controller.enqueue(ev);
    },
  });
}

/** One event as wire text. @example sseText({ data: "[DONE]" }) // "data: [DONE]\n\n" */
export function sseText(ev: SseEvent): string {
  const head = ev.event ? `event: ${ev.event}\n` : "";
  // JSON (what the gateway sends) has no raw line breaks: one data line
  const body = ev.data.includes("\n") || ev.data.includes("\r") ? ev.data.split(/\r\n|\r|\n/).join("\ndata: ") : ev.data;
  return `${head}data: ${body}\n\n`;
}

/** `data: <json>\n\n` (after `event: <event>` when given) for one object. */
export const sseJson = (value: unknown, event?: string): string => sseText({ data: JSON.stringify(value), ...(event ? { event } : {}) });
