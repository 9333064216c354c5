/** One Server-Sent Event. `event` is absent for the default "message" type. */
export type SseEvent = { event?: string; data: string; id?: string };

const encoder = new TextEncoder();

/**
 * Bytes → SSE events, per the WHATWG event-stream rules (CRLF/LF/CR line ends, multi-line data,
 * comments ignored). Events are emitted as soon as their blank line arrives: no buffering beyond one
 * event.
 * @example upstream.body.pipeThrough(sseParser())
 */
export function sseParser(): TransformStream<Uint8Array, SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;

  const line = (text: string, emit: (ev: SseEvent) => void) => {
    if (text === "") {
      if (data.length) emit({ data: data.join("\n"), ...(event ? { event } : {}), ...(id !== undefined ? { id } : {}) });
      data = [];
      event = undefined;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") id = value;
  };

  const drain = (emit: (ev: SseEvent) => void, final: boolean) => {
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer[i];
      if (ch !== "\n" && ch !== "\r") continue;
      if (ch === "\r" && i + 1 === buffer.length && !final) break;
      line(buffer.slice(start, i), emit);
      if (ch === "\r" && buffer[i + 1] === "\n") i++;
      start = i + 1;
    }
    buffer = buffer.slice(start);
  };

  return new TransformStream({
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true });
      drain((ev) => controller.enqueue(ev), false);
    },
    flush(controller) {
      buffer += decoder.decode();
      drain((ev) => controller.enqueue(ev), true);
      if (buffer) line(buffer, (ev) => controller.enqueue(ev));
      line("", (ev) => controller.enqueue(ev));
    },
  });
}

/** One event as wire bytes. @example encodeSse({ data: "[DONE]" }) */
export function encodeSse(ev: SseEvent): Uint8Array {
  const head = ev.event ? `event: ${ev.event}\n` : "";
  const body = ev.data
    .split("\n")
    .map((l) => `data: ${l}`)
    .join("\n");
  return encoder.encode(`${head}${body}\n\n`);
}

/** `data: <json>\n\n` for one object. */
export const encodeSseJson = (value: unknown, event?: string): Uint8Array =>
  encodeSse({ data: JSON.stringify(value), ...(event ? { event } : {}) });
