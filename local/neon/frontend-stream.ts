const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** One complete frontend message: its type byte as a character, or `ssl`/`gss`/`cancel`/`startup` for the untyped ones. */
export interface FrontendMessage {
  readonly type: string;
  readonly bytes: Buffer;
}

/** Splits the client → server byte stream of the Postgres wire protocol into whole messages. */
export class FrontendStream {
  #buffer: Buffer = Buffer.alloc(0);
  #startupPhase = true;
  #passthrough = false;

  /** Appends a chunk and returns the messages it completes (partial data stays buffered). */
  push(chunk: Buffer): FrontendMessage[] {
    if (this.#passthrough) return [{ type: "raw", bytes: chunk }];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const messages: FrontendMessage[] = [];
    for (;;) {
      const message = this.#startupPhase ? this.#nextUntyped() : this.#nextTyped();
      if (!message) break;
      messages.push(message);
    }
    return messages;
  }

  #nextUntyped(): FrontendMessage | null {
    if (this.#buffer.length < 8) return null;
    const length = this.#buffer.readInt32BE(0);
    if (length < 8) return this.#giveUp();
    if (this.#buffer.length < length) return null;
    const code = this.#buffer.readInt32BE(4);
    const type = code === SSL_REQUEST ? "ssl" : code === GSSENC_REQUEST ? "gss" : code === CANCEL_REQUEST ? "cancel" : "startup";
    if (type === "startup" || type === "cancel") this.#startupPhase = false;
    return this.#take(type, length);
  }

  #nextTyped(): FrontendMessage | null {
    if (this.#buffer.length < 5) return null;
    const length = this.#buffer.readInt32BE(1);
    if (length < 4) return this.#giveUp();
    if (this.#buffer.length < length + 1) return null;
    return this.#take(String.fromCharCode(this.#buffer[0] ?? 0), length + 1);
  }

  #take(type: string, size: number): FrontendMessage {
    const bytes = this.#buffer.subarray(0, size);
    this.#buffer = this.#buffer.subarray(size);
    return { type, bytes };
  }

  #giveUp(): FrontendMessage {
    this.#passthrough = true;
    const bytes = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return { type: "raw", bytes };
  }
}
