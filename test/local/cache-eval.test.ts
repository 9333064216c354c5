import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedderOf, loadPairs, type Observation, observe, openIndex, type Pair, score, tune } from "../../bench/cache-eval/lib";
import { EMBEDDER_NAME } from "../../local/vector/embedder";
import { thresholdFor } from "../../shared/cache/semantic/threshold";

/** CI guard for the semantic cache's acceptance numbers (bench/cache-eval/REPORT.md). */
let pairs: Pair[];
let observations: Observation[];
let close: () => Promise<void>;

beforeAll(async () => {
  pairs = await loadPairs();
  const opened = await openIndex({});
  close = opened.close;
  expect(await embedderOf(opened.index)).toBe(EMBEDDER_NAME);
  observations = await observe(opened.index, pairs);
});
afterAll(() => close?.());

const split = (name: "tune" | "test") => observations.filter((o) => o.pair.split === name);

describe("semantic cache evaluation set", () => {
  it("has at least 120 labelled pairs, every category in both splits", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(120);
    expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);
    const categories = new Set(pairs.map((p) => p.category));
    for (const c of categories) {
      for (const s of ["tune", "test"])
        expect(
          pairs.some((p) => p.category === c && p.split === s),
          `${c}/${s}`,
        ).toBe(true);
    }
    for (const c of ["paraphrase", "number", "negation", "entity", "quoted", "code", "system-prompt", "history", "tenant"])
      expect(categories).toContain(c);
  });

  it("the default threshold of the local embedder is the one the tune split chooses", () => {
    const { chosen } = tune(split("tune"));
    expect(chosen?.threshold).toBe(thresholdFor(EMBEDDER_NAME));
  });

  it("test split at the default threshold: no false hit, at least half of the paraphrases hit", () => {
    const report = score(split("test"), thresholdFor(EMBEDDER_NAME));
    expect(report.mustNotHit.n).toBeGreaterThanOrEqual(30);
    expect(report.mustNotHit.falseHits).toBe(0);
    expect(report.shouldHit.rate).toBeGreaterThanOrEqual(0.5);
  });
});
