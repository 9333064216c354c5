import { sha256Hex } from "../crypto/digest";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const KEY_SHAPE = /^ew_[a-z0-9]{2,12}_[A-Za-z0-9]{24,64}$/;

/** Characters of a key kept for display (`ew_dev_3kF9`); the rest is never stored. */
export const DISPLAY_PREFIX_CHARS = 4;

/**
 * A new API key `ew_<env>_<32 random base62 chars>` (~190 bits of entropy).
 * @example newApiKey("live") // "ew_live_Q3..."
 */
export function newApiKey(env: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let random = "";
  for (const b of bytes) random += ALPHABET[b % 62];
  return `ew_${env}_${random}`;
}

/** True when the string has the shape of an Edgeway key (cheap check before hashing). */
export const looksLikeApiKey = (key: string) => KEY_SHAPE.test(key);

/** The display prefix stored with the key: env part plus a few random characters. */
export function displayPrefix(key: string): string {
  const cut = key.lastIndexOf("_") + 1 + DISPLAY_PREFIX_CHARS;
  return key.slice(0, cut);
}

/**
 * Hex SHA-256 of the key: what the database stores and what caches are keyed by.
 * @example await hashApiKey("ew_dev_...") // "9f86d0..."
 */
export const hashApiKey = (key: string): Promise<string> => sha256Hex(key);
