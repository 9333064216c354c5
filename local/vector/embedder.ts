import { contentTokens, normalizeText, type TextToken } from "./text-features";

/** Name the local embedder is declared under in `info` (`denseIndex.embeddingModel`). */
export const EMBEDDER_NAME = "edgeway-local-hash-v1";

/** Dimension of the vectors `embed` produces by default. */
export const EMBEDDER_DIMENSION = 384;

const WEIGHTS = { unigram: 0.65, bigram: 0.2, trigram: 0.45 } as const;

/**
 * Deterministic, model-free text embedding: normalised (NFKD, lowercase, contractions expanded),
 * tokenised, stopwords dropped (negations and numbers kept, negation scope marked), lightly stemmed,
 * then signed feature hashing of stemmed unigrams, bigrams and character trigrams. Each feature group is
 * L2-normalised, weighted and summed, and the result is L2-normalised (an empty text gives a zero vector).
 */
export function embed(text: string, dimension: number = EMBEDDER_DIMENSION): number[] {
  let tokens = contentTokens(text);
  if (tokens.length === 0) tokens = fallbackTokens(text);
  const keys = tokens.map((t) => (t.negated ? `!${t.stem}` : t.stem));
  const out = new Float64Array(dimension);
  addGroup(
    out,
    keys.map((k) => `u:${k}`),
    WEIGHTS.unigram,
  );
  addGroup(
    out,
    keys.slice(1).map((k, i) => `b:${keys[i]} ${k}`),
    WEIGHTS.bigram,
  );
  addGroup(out, tokens.flatMap(charTrigrams), WEIGHTS.trigram);
  return normalize(out);
}

function fallbackTokens(text: string): TextToken[] {
  const words = normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length > 0) return words.map((w) => ({ stem: w, negated: false, numeric: false }));
  const compact = normalizeText(text).replace(/\s+/g, " ").trim();
  return compact ? [{ stem: compact, negated: false, numeric: false }] : [];
}

function charTrigrams(t: TextToken): string[] {
  if (t.numeric) return [];
  const chars = Array.from(`<${t.stem}>`);
  const prefix = t.negated ? "c!" : "c:";
  const grams: string[] = [];
  for (let i = 0; i + 3 <= chars.length; i++) grams.push(prefix + chars.slice(i, i + 3).join(""));
  return grams;
}

function addGroup(out: Float64Array, features: string[], weight: number): void {
  if (features.length === 0) return;
  const group = new Float64Array(out.length);
  for (const f of features) {
    const h = hash(f);
    const i = (h >>> 1) % out.length;
    group[i] = (group[i] as number) + (h & 1 ? 1 : -1);
  }
  let norm = 0;
  for (const x of group) norm += x * x;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (group[i] as number) * scale;
}

function normalize(v: Float64Array): number[] {
  let norm = 0;
  for (const x of v) norm += x * x;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Array.from(v, (x) => x * inv);
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
