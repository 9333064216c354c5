const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i] as number];
  return hex;
}

/** A Web Crypto digest of UTF-8 text as lowercase hex. */
const digestHex = async (algorithm: "SHA-1" | "SHA-256", text: string) =>
  toHex(new Uint8Array(await crypto.subtle.digest(algorithm, encoder.encode(text))));

/**
 * SHA-256 of UTF-8 text as lowercase hex (Web Crypto).
 * @example await sha256Hex("abc") // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 */
export function sha256Hex(text: string): Promise<string> {
  return digestHex("SHA-256", text);
}

/**
 * SHA-1 of UTF-8 text as lowercase hex: only for naming things by content where a peer expects
 * SHA-1 (Redis `EVALSHA`), never for security.
 * @example await sha1Hex("abc") // "a9993e364706816aba3e25717850c26c9cd0d89d"
 */
export function sha1Hex(text: string): Promise<string> {
  return digestHex("SHA-1", text);
}
