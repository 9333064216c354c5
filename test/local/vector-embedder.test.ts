import { describe, expect, it } from "vitest";
import { EMBEDDER_DIMENSION, EMBEDDER_NAME, embed } from "../../local/vector/embedder";
import { similarityScore } from "../../local/vector/similarity";
import { contentTokens, stem } from "../../local/vector/text-features";

const score = (a: string, b: string) => similarityScore("COSINE", embed(a), embed(b));

const PARAPHRASES: [string, string][] = [
  ["What is the capital of France?", "Tell me the capital city of France"],
  ["How do I reset my password?", "Steps to reset a forgotten password"],
  ["Explain quantum computing in simple terms", "Give me a simple explanation of quantum computing"],
  ["Write a poem about the ocean", "Compose a poem about the sea"],
  ["Summarize this article about climate change", "Give a summary of this climate change article"],
  ["I like cats", "I really like cats"],
];

const UNRELATED: [string, string][] = [
  ["What is the capital of France?", "How do I bake sourdough bread at home?"],
  ["Explain quantum computing in simple terms", "Write a poem about the ocean"],
  ["Summarize this article about climate change", "What is the weather today?"],
  ["What is 2 + 2?", "What is 3 + 3?"],
];

const NEGATED: [string, string][] = [
  ["I like cats", "I don't like cats"],
  ["How do I reset my password?", "How do I not reset my password?"],
  ["The server is running", "The server is not running"],
  ["Should I delete the production database?", "Should I never delete the production database?"],
];

describe("local text embedder", () => {
  it("declares its name and dimension", () => {
    expect(EMBEDDER_NAME).toBe("edgeway-local-hash-v1");
    expect(EMBEDDER_DIMENSION).toBe(384);
  });

  it("is deterministic, unit-length and sized by the dimension argument", () => {
    const v = embed("Deterministic embeddings are handy for tests");
    expect(v).toHaveLength(384);
    expect(embed("Deterministic embeddings are handy for tests")).toEqual(v);
    expect(Math.hypot(...v)).toBeCloseTo(1, 12);
    expect(embed("short", 64)).toHaveLength(64);
    expect(embed("")).toEqual(new Array(384).fill(0));
  });

  it("ignores case, accents, punctuation, stopwords and contractions", () => {
    expect(score("Café au lait, PLEASE!", "cafe au lait")).toBeCloseTo(1, 12);
    expect(score("What is the capital of France?", "capital of france")).toBeCloseTo(1, 12);
    expect(score("I don't like it", "I do not like it")).toBeCloseTo(1, 12);
    expect(score("It isn’t ready", "it is not ready")).toBeCloseTo(1, 12);
  });

  it("still embeds a text made only of stopwords", () => {
    expect(Math.hypot(...embed("what is it?"))).toBeCloseTo(1, 12);
    expect(score("what is it?", "What is it")).toBeCloseTo(1, 12);
  });

  it.each(PARAPHRASES)("scores paraphrases high: %s ~ %s", (a, b) => {
    expect(score(a, b)).toBeGreaterThan(0.75);
  });

  it.each(UNRELATED)("scores unrelated texts near 0.5: %s / %s", (a, b) => {
    expect(score(a, b)).toBeLessThan(0.56);
  });

  it.each(NEGATED)("scores a negation well below a paraphrase: %s / %s", (a, b) => {
    expect(score(a, b)).toBeLessThan(0.73);
  });

  it("keeps numbers apart", () => {
    expect(score("Order 1234 has shipped", "Order 5678 has shipped")).toBeLessThan(score("Order 1234 has shipped", "order 1234 shipped"));
    expect(score("What is 2 + 2?", "What is 3 + 3?")).toBeCloseTo(0.5, 6);
  });

  it("pins the algorithm (change EMBEDDER_NAME when these move)", () => {
    expect(score(...(PARAPHRASES[0] as [string, string]))).toBeCloseTo(0.884, 3);
    expect(score(...(NEGATED[0] as [string, string]))).toBeCloseTo(0.523, 3);
    expect(score(...(UNRELATED[0] as [string, string]))).toBeCloseTo(0.511, 3);
  });

  it("stems lightly and marks the scope of a negation", () => {
    expect(["running", "runs", "run"].map(stem)).toEqual(["run", "run", "run"]);
    expect(["studies", "studying", "happiness", "happy"].map(stem)).toEqual(["studi", "studi", "happi", "happi"]);
    expect(contentTokens("Never delete the database. Restart it.")).toEqual([
      { stem: "not", negated: false, numeric: false },
      { stem: "remov", negated: true, numeric: false },
      { stem: "databas", negated: true, numeric: false },
      { stem: "restart", negated: false, numeric: false },
    ]);
  });
});
