/**
 * A reply as ioredis hands it back with `stringNumbers` and no reply encoding: bulk and status
 * strings are Buffers, integers are decimal strings, nil is null, nested errors are Error objects.
 */
export type RawReply = Buffer | string | number | null | Error | RawReply[];

/** One entry of a pipeline or multi-exec answer: the Redis error, or the reply. */
export type Outcome = [error: Error | null, reply?: RawReply];

const INTEGER = /^-?\d+$/;

/**
 * Serialises a reply as JSON the way Upstash does. With `base64`, every string is base64-encoded
 * except a top-level "OK" (@upstash/redis keeps that one literal and decodes every string inside
 * arrays, so an "OK" inside an array must be encoded); numbers and null pass through.
 */
export function encodeReply(reply: RawReply | undefined, base64: boolean): string {
  if (base64 && Buffer.isBuffer(reply) && isOk(reply)) return '"OK"';
  return encode(reply, base64);
}

/** Serialises a pipeline or multi-exec answer: `[{"result": ...} | {"error": "..."}, ...]`. */
export function encodeOutcomes(outcomes: Outcome[], base64: boolean): string {
  let out = "[";
  for (let i = 0; i < outcomes.length; i++) {
    const [error, reply] = outcomes[i] as Outcome;
    if (i > 0) out += ",";
    out += error ? `{"error":${JSON.stringify(error.message)}}` : `{"result":${encodeReply(reply, base64)}}`;
  }
  return `${out}]`;
}

function encode(reply: RawReply | undefined, base64: boolean): string {
  if (reply === null || reply === undefined) return "null";
  if (Buffer.isBuffer(reply)) {
    return base64 ? `"${reply.toString("base64")}"` : JSON.stringify(reply.toString("utf8"));
  }
  if (typeof reply === "string") return INTEGER.test(reply) ? reply : encodeText(reply, base64);
  if (typeof reply === "number") return Number.isFinite(reply) ? String(reply) : "null";
  if (Array.isArray(reply)) {
    let out = "[";
    for (let i = 0; i < reply.length; i++) {
      if (i > 0) out += ",";
      out += encode(reply[i], base64);
    }
    return `${out}]`;
  }
  return encodeText(reply.message, base64);
}

function encodeText(text: string, base64: boolean): string {
  return base64 ? `"${Buffer.from(text, "utf8").toString("base64")}"` : JSON.stringify(text);
}

function isOk(buf: Buffer): boolean {
  return buf.length === 2 && buf[0] === 0x4f && buf[1] === 0x4b;
}
