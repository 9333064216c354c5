import { describe, expect, it } from "vitest";
import {
  cosineFromScore,
  DEFAULT_THRESHOLDS,
  embedderKey,
  FALLBACK_THRESHOLD,
  SIMILARITY_FUNCTIONS,
  scoreFromCosine,
  thresholdFor,
} from "../../../shared/cache/semantic/threshold";

describe("raw cosine ↔ Upstash score", () => {
  it("matches Upstash's normalisation for unit vectors", () => {
    expect(scoreFromCosine(0.8)).toBeCloseTo(0.9);
    expect(scoreFromCosine(1)).toBe(1);
    expect(scoreFromCosine(-1)).toBe(0);
    expect(scoreFromCosine(0.8, "DOT_PRODUCT")).toBeCloseTo(0.9);
    // unit vectors at cosine 0.8: d² = 0.4 → 1 / 1.4
    expect(scoreFromCosine(0.8, "EUCLIDEAN")).toBeCloseTo(1 / 1.4);
  });

  it("inverts for every similarity function and keeps order", () => {
    for (const fn of SIMILARITY_FUNCTIONS) {
      for (const cos of [-0.5, 0, 0.5, 0.73, 0.95, 1]) expect(cosineFromScore(scoreFromCosine(cos, fn), fn)).toBeCloseTo(cos, 10);
      expect(scoreFromCosine(0.9, fn)).toBeGreaterThan(scoreFromCosine(0.8, fn));
    }
  });
});

describe("thresholdFor", () => {
  it("knows the local embedder (evaluated) and the hosted models (conservative)", () => {
    expect(DEFAULT_THRESHOLDS[embedderKey("edgeway-local-hash-v1")]?.source).toBe("evaluated");
    expect(thresholdFor("edgeway-local-hash-v1")).toBeGreaterThan(0.5);
    expect(thresholdFor("edgeway-local-hash-v1")).toBeLessThan(1);
    expect(thresholdFor("BAAI/bge-small-en-v1.5")).toBe(0.95);
    expect(thresholdFor("BGE_SMALL_EN_V1_5")).toBe(0.95);
  });

  it("falls back to a strict value for unknown embedders; a tenant override wins", () => {
    expect(thresholdFor("some-new-model")).toBe(FALLBACK_THRESHOLD);
    expect(thresholdFor("BAAI/bge-small-en-v1.5", 0.97)).toBe(0.97);
  });
});
