const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A new random id with a type prefix: `ten_`, `key_`, `cred_` + 20 base36 characters (~103 bits).
 * @example newId("ten") // "ten_k3v9..."
 */
export function newId(prefix: "ten" | "key" | "cred"): string {
  let out = `${prefix}_`;
  for (const b of crypto.getRandomValues(new Uint8Array(20))) out += ALPHABET[b % 36];
  return out;
}
