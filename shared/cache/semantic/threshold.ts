/** Upstash Vector's similarity functions. */
export const SIMILARITY_FUNCTIONS = ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"] as const;
export type SimilarityFunction = (typeof SIMILARITY_FUNCTIONS)[number];

/**
 * Raw cosine similarity → the score Upstash Vector reports, which it normalises to [0, 1]:
 * COSINE (1 + cos) / 2; DOT_PRODUCT (1 + dot) / 2; EUCLIDEAN 1 / (1 + d²). For DOT_PRODUCT and
 * EUCLIDEAN this assumes unit vectors (dot = cos, d² = 2 − 2·cos), which the hosted models produce.
 * @example scoreFromCosine(0.8) // 0.9
 */
export function scoreFromCosine(cosine: number, fn: SimilarityFunction = "COSINE"): number {
  if (fn === "EUCLIDEAN") return 1 / (1 + (2 - 2 * cosine));
  return (1 + cosine) / 2;
}

/** The inverse of {@link scoreFromCosine}. @example cosineFromScore(0.9) // 0.8 */
export function cosineFromScore(score: number, fn: SimilarityFunction = "COSINE"): number {
  if (fn === "EUCLIDEAN") return 1 - (1 / score - 1) / 2;
  return 2 * score - 1;
}

/** A default threshold and where it comes from. */
export type ThresholdDefault = {
  /** Raw cosine similarity a candidate needs (before verification). */
  cosine: number;
  /** How the number was chosen. */
  source: "evaluated" | "conservative";
};

/**
 * Raw-cosine thresholds per embedder, keyed by {@link embedderKey}. `edgeway-local-hash-v1` is the
 * value chosen on the tune split of `bench/cache-eval` (see its REPORT.md). The hosted models have not
 * been evaluated here: 0.95 is a conservative default (BGE v1.5 puts unrelated sentences around
 * 0.4–0.7 and close paraphrases above 0.9); run the evaluation against the production index
 * (`bench/cache-eval/README.md`) before lowering it.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, ThresholdDefault>> = {
  edgewaylocalhashv1: { cosine: 0.73, source: "evaluated" },
  bgesmallenv15: { cosine: 0.95, source: "conservative" },
  bgebaseenv15: { cosine: 0.95, source: "conservative" },
  bgelargeenv15: { cosine: 0.95, source: "conservative" },
  bgem3: { cosine: 0.95, source: "conservative" },
  allminilml6v2: { cosine: 0.95, source: "conservative" },
  allmpnetbasev2: { cosine: 0.95, source: "conservative" },
  mxbaiembedlargev1: { cosine: 0.95, source: "conservative" },
};

/** For an embedder nobody has evaluated: strict, since verification is the only other guard. */
export const FALLBACK_THRESHOLD = 0.97;

/**
 * Table key of an embedder name: lowercase alphanumerics after any `org/` prefix, so
 * `BAAI/bge-small-en-v1.5` and `BGE_SMALL_EN_V1_5` are the same model.
 */
export const embedderKey = (name: string): string => (name.split("/").pop() ?? name).toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * The raw cosine threshold for an embedder: the tenant's override when set, else the table's default,
 * else {@link FALLBACK_THRESHOLD}.
 * @example const minScore = scoreFromCosine(thresholdFor(info.denseIndex.embeddingModel, tenant.cache.semantic.threshold));
 */
export function thresholdFor(embedder: string, override?: number): number {
  return override ?? DEFAULT_THRESHOLDS[embedderKey(embedder)]?.cosine ?? FALLBACK_THRESHOLD;
}
