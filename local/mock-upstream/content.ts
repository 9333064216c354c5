/**
 * Deterministic content.
 *
 * A completion is `"[<model>] "` followed by N words picked from WORDS by a
 * PRNG seeded with a hash of (model, last user text, seed, choice index).
 * Identical requests therefore get identical content. N defaults to 12; put
 * `[[words:N]]` anywhere in the last user message to ask for N words
 * (0..10000). Every word is one token under the mock's token rule, so the
 * completion costs countTokens("[<model>]") + N tokens (e.g. 5 + 12 = 17 for
 * "mock-small").
 */
import { countTokens, TOKEN_PATTERN } from "./tokens";

export const DEFAULT_WORDS = 12;
export const MAX_WORDS = 10_000;

const WORDS = [
  "amber",
  "anchor",
  "apple",
  "arrow",
  "atlas",
  "autumn",
  "badge",
  "basil",
  "beacon",
  "birch",
  "blossom",
  "bridge",
  "canyon",
  "cedar",
  "cinder",
  "clover",
  "cobalt",
  "comet",
  "copper",
  "coral",
  "delta",
  "dune",
  "ember",
  "falcon",
  "fern",
  "fjord",
  "garnet",
  "glacier",
  "granite",
  "harbor",
  "hazel",
  "heron",
  "indigo",
  "island",
  "ivory",
  "jasper",
  "juniper",
  "kelp",
  "lagoon",
  "lantern",
  "linen",
  "maple",
  "meadow",
  "mesa",
  "nectar",
  "nimbus",
  "oak",
  "orbit",
  "pebble",
  "pine",
  "prairie",
  "quartz",
  "quill",
  "raven",
  "ridge",
  "river",
  "saffron",
  "sage",
  "summit",
  "tundra",
  "umber",
  "valley",
  "willow",
  "zephyr",
];

/** FNV-1a, 32 bit. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for mock content and fault draws. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS_MARKER = /\[\[words:(\d+)\]\]/;

export function requestedWords(userText: string): number {
  const m = WORDS_MARKER.exec(userText);
  if (m === null) return DEFAULT_WORDS;
  return Math.min(MAX_WORDS, Number(m[1]));
}

export function contentSeed(model: string, userText: string, seed: number | undefined, choice: number): number {
  return hash32(`${model}\u0000${userText}\u0000${seed ?? ""}\u0000${choice}`);
}

/** The untruncated completion text for one choice. */
export function completionText(model: string, userText: string, seed: number | undefined, choice: number): string {
  const n = requestedWords(userText);
  const rnd = prng(contentSeed(model, userText, seed, choice));
  let s = `[${model}]`;
  for (let i = 0; i < n; i++) s += ` ${WORDS[Math.floor(rnd() * WORDS.length)]}`;
  return s;
}

export function randomWord(rnd: () => number): string {
  return WORDS[Math.floor(rnd() * WORDS.length)] as string;
}

export type Finish = "stop" | "length" | "stop_sequence";

export interface Shaped {
  text: string;
  finish: Finish;
  /** The stop sequence that ended the text, when finish is "stop_sequence". */
  stopSequence: string | null;
}

/**
 * Applies stop sequences (earliest match wins, the sequence itself is not
 * emitted) and then the token limit (cut after the max-th token).
 */
export function shapeText(full: string, stops: readonly string[], maxTokens: number | undefined): Shaped {
  let text = full;
  let finish: Finish = "stop";
  let stopSequence: string | null = null;
  let at = -1;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      stopSequence = s;
    }
  }
  if (at >= 0) {
    text = text.slice(0, at);
    finish = "stop_sequence";
  }
  if (maxTokens !== undefined && maxTokens >= 0 && countTokens(text) > maxTokens) {
    text = cutTokens(text, maxTokens);
    finish = "length";
    stopSequence = null;
  }
  return { text, finish, stopSequence };
}

function cutTokens(text: string, max: number): string {
  if (max <= 0) return "";
  const re = new RegExp(TOKEN_PATTERN.source, "gu");
  let n = 0;
  let m: RegExpExecArray | null = re.exec(text);
  while (m !== null) {
    if (++n === max) return text.slice(0, m.index + m[0].length);
    m = re.exec(text);
  }
  return text;
}

/**
 * Splits text into stream pieces: one word (with its leading whitespace) per
 * piece; long runs without spaces (JSON) are cut into 16-code-point pieces.
 */
export function streamPieces(text: string): string[] {
  const words = text.match(/\s*\S+|\s+$/g);
  if (words === null) return text ? [text] : [];
  const out: string[] = [];
  for (const w of words) {
    if (w.length <= 24) {
      out.push(w);
      continue;
    }
    const cps = Array.from(w);
    for (let i = 0; i < cps.length; i += 16) out.push(cps.slice(i, i + 16).join(""));
  }
  return out;
}

/** Tokens of text with their leading whitespace, so they concatenate back to the text (minus trailing space). */
export function tokenStrings(text: string): string[] {
  return text.match(/\s*(?:[A-Za-z0-9]+|[^\sA-Za-z0-9])/gu) ?? [];
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

function bytesOf(s: string): number[] {
  return Array.from(Buffer.from(s, "utf8"));
}

/** Deterministic logprobs: a function of the token and its position only. */
export function logprobsFor(text: string, top: number, offset = 0): TokenLogprob[] {
  const toks = tokenStrings(text);
  const out: TokenLogprob[] = [];
  for (let i = 0; i < toks.length; i++) {
    const token = toks[i] as string;
    const h = hash32(`${offset + i}\u0000${token}`);
    const lp = -Math.round(((h % 1000) / 1000) * 1.5 * 1e6) / 1e6;
    const alts: TokenLogprob["top_logprobs"] = [];
    if (top > 0) {
      alts.push({ token, logprob: lp, bytes: bytesOf(token) });
      const rnd = prng(h);
      for (let k = 1; k < top; k++) {
        const alt = ` ${randomWord(rnd)}`;
        alts.push({ token: alt, logprob: Math.round((lp - k - rnd()) * 1e6) / 1e6, bytes: bytesOf(alt) });
      }
    }
    out.push({ token, logprob: lp, bytes: bytesOf(token), top_logprobs: alts });
  }
  return out;
}

/** Deterministic unit vector of `dims` floats from the text. */
export function embedVector(text: string, dims: number): Float32Array {
  const rnd = prng(hash32(text));
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = rnd() * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) * inv;
  return v;
}

let idCounter = 0;
const idTag = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, "0");

/** Unique ids per process: `<prefix><tag><counter>`. */
export function newId(prefix: string): string {
  idCounter = (idCounter + 1) % 36 ** 10;
  return `${prefix}mock${idTag}${idCounter.toString(36).padStart(10, "0")}`;
}

/** Deterministic id from a hash (tool call ids). */
export function hashId(prefix: string, key: string, len = 24): string {
  const rnd = prng(hash32(key));
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let s = prefix;
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}
