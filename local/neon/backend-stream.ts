/** Watches the server → client byte stream for ReadyForQuery ('Z') messages. */
export class BackendStream {
  #buffer: Buffer = Buffer.alloc(0);
  #rawBytesToSkip = 0;

  /** The next byte is an untyped one-byte reply (to SSLRequest or GSSENCRequest). */
  expectRawByte(): void {
    this.#rawBytesToSkip += 1;
  }

  /** Appends a chunk and returns the transaction status ('I', 'T' or 'E') of each ReadyForQuery it completes. */
  push(chunk: Buffer): string[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const statuses: string[] = [];
    for (;;) {
      if (this.#rawBytesToSkip > 0 && this.#buffer.length > 0) {
        this.#rawBytesToSkip -= 1;
        this.#buffer = this.#buffer.subarray(1);
        continue;
      }
      if (this.#buffer.length < 5) break;
      const length = this.#buffer.readInt32BE(1);
      if (length < 4) {
        this.#buffer = Buffer.alloc(0);
        break;
      }
      if (this.#buffer.length < length + 1) break;
      if (this.#buffer[0] === 0x5a) statuses.push(String.fromCharCode(this.#buffer[5] ?? 0));
      this.#buffer = this.#buffer.subarray(length + 1);
    }
    return statuses;
  }
}
