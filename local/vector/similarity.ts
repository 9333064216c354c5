/** The similarity functions an Upstash Vector index can be created with. */
export type SimilarityFunction = "COSINE" | "EUCLIDEAN" | "DOT_PRODUCT";

/**
 * Upstash's normalised score in [0, 1]: COSINE (1 + cos) / 2, EUCLIDEAN 1 / (1 + d²),
 * DOT_PRODUCT (1 + dot) / 2 (clamped for unnormalised vectors). A zero vector has cosine 0.
 */
export function similarityScore(fn: SimilarityFunction, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let d2 = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
    d2 += (x - y) * (x - y);
  }
  if (fn === "EUCLIDEAN") return 1 / (1 + d2);
  if (fn === "DOT_PRODUCT") return clamp01((1 + dot) / 2);
  const cos = na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  return clamp01((1 + cos) / 2);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
