import { describe, expect, inject, it } from "vitest";
import { EMBEDDER_NAME, embed } from "../../../local/vector/embedder";
import { exactHash, semanticScope } from "../../../shared/cache/keys";
import { cachedEmbedder, type Embedder } from "../../../shared/cache/semantic/embedding";
import {
  forget,
  INLINE_POINTER_MAX_CHARS,
  lookup,
  parsePointer,
  purgeTenant,
  queryCandidates,
  remember,
  sweepAllExpired,
  sweepExpired,
  tenantNamespace,
  toPointer,
  type VectorIndex,
} from "../../../shared/cache/semantic/store";
import { thresholdFor } from "../../../shared/cache/semantic/threshold";
import type { ChatCompletionRequest } from "../../../shared/openai/chat-request";
import { createVectorIndex } from "../../../shared/storage/vector";

// The real @upstash/vector client (Workers build) against the local Vector stand-in.
const { bindings } = inject("stack");
const index: VectorIndex = createVectorIndex({
  UPSTASH_VECTOR_REST_URL: bindings.UPSTASH_VECTOR_REST_URL as string,
  UPSTASH_VECTOR_REST_TOKEN: bindings.UPSTASH_VECTOR_REST_TOKEN as string,
});
const THRESHOLD = thresholdFor(EMBEDDER_NAME);
const NOW = 1_900_000_000;

const ask = (text: string, system = "Be brief."): ChatCompletionRequest => ({
  model: "mock-small",
  temperature: 0,
  messages: [
    { role: "system", content: system },
    { role: "user", content: text },
  ],
});

/** Stores `text` for a fresh tenant (or the given one) the way the request path would. */
async function store(text: string, opts: { tenantId?: string; system?: string; expiresAt?: number; embedder?: Embedder } = {}) {
  const tenantId = opts.tenantId ?? `t-${crypto.randomUUID()}`;
  const req = ask(text, opts.system);
  const scope = await semanticScope(tenantId, null, req);
  if (!scope) throw new Error("not cacheable");
  const id = await exactHash(tenantId, null, req);
  await remember(index, {
    tenantId,
    id,
    text: scope.lastUserText,
    scopeHash: scope.scopeHash,
    expiresAt: opts.expiresAt ?? NOW + 3600,
    model: "mock-small",
    pointer: `redis:cache:${tenantId}:${id}`,
    embedder: opts.embedder,
  });
  return { tenantId, id };
}

async function find(tenantId: string, text: string, opts: { system?: string; now?: number; threshold?: number; embedder?: Embedder } = {}) {
  const scope = await semanticScope(tenantId, null, ask(text, opts.system));
  if (!scope) throw new Error("not cacheable");
  return lookup(index, {
    tenantId,
    scopeHash: scope.scopeHash,
    text: scope.lastUserText,
    threshold: opts.threshold ?? THRESHOLD,
    now: opts.now ?? NOW,
    embedder: opts.embedder,
  });
}

describe("semantic store (Upstash Vector data mode, local embedder)", () => {
  it("serves a paraphrase in the same scope: id, score, stored text and pointer", async () => {
    const { tenantId, id } = await store("How can I improve my sleep quality?");
    const hit = await find(tenantId, "How can I improve the quality of my sleep?");
    expect(hit).toMatchObject({
      id,
      text: "How can I improve my sleep quality?",
      pointer: `redis:cache:${tenantId}:${id}`,
      model: "mock-small",
    });
    expect(hit?.score).toBeGreaterThan(0.5);
    expect(hit?.cosine).toBeGreaterThanOrEqual(THRESHOLD);
  });

  it("verifies candidates: a near-miss that differs in a number is a miss even with no threshold", async () => {
    const { tenantId } = await store("What is 15% of 80?");
    expect(await find(tenantId, "What is 15% of 90?", { threshold: -1 })).toBeNull();
    expect(await find(tenantId, "what is 15% of 80")).not.toBeNull();
  });

  it("needs the exact scope: another system prompt never matches", async () => {
    const { tenantId } = await store("What is photosynthesis?", { system: "Answer in French." });
    expect(await find(tenantId, "What is photosynthesis?", { system: "Answer in English.", threshold: -1 })).toBeNull();
    expect(await find(tenantId, "What is photosynthesis?", { system: "Answer in French." })).not.toBeNull();
  });

  it("keeps tenants apart: one namespace each, nothing visible across", async () => {
    const a = await store("What is our refund policy?");
    const b = `t-${crypto.randomUUID()}`;
    expect(await find(b, "What is our refund policy?", { threshold: -1 })).toBeNull();
    const scopeA = await semanticScope(a.tenantId, null, ask("What is our refund policy?"));
    // Even B's namespace queried with A's own scope hash holds nothing of A's.
    const raw = await queryCandidates(index, {
      tenantId: b,
      scopeHash: scopeA?.scopeHash as string,
      text: "What is our refund policy?",
      now: NOW,
    });
    expect(raw).toEqual([]);
    const inA = await index.namespace(tenantNamespace(a.tenantId)).fetch([a.id], { includeMetadata: true });
    expect(inA[0]?.id).toBe(a.id);
    expect(await index.namespace(tenantNamespace(b)).fetch([a.id])).toEqual([null]);
  });

  it("never returns an expired entry, and the sweep deletes it", async () => {
    const { tenantId, id } = await store("Describe the water cycle.", { expiresAt: NOW + 60 });
    expect(await find(tenantId, "Describe the water cycle.", { now: NOW + 59 })).not.toBeNull();
    expect(await find(tenantId, "Describe the water cycle.", { now: NOW + 60 })).toBeNull();
    expect(await find(tenantId, "Describe the water cycle.", { now: NOW + 3600 })).toBeNull();

    const ns = tenantNamespace(tenantId);
    const live = await store("Explain recursion to a beginner.", { tenantId, expiresAt: NOW + 7200 });
    expect(await sweepExpired(index, ns, NOW + 60)).toBe(1);
    expect(await index.namespace(ns).fetch([id, live.id])).toEqual([null, expect.objectContaining({ id: live.id })]);
    expect(await sweepExpired(index, ns, NOW + 60)).toBe(0);
  });

  it("sweepAllExpired reaches every tenant namespace", async () => {
    // Real time here: the sweep covers every namespace of the shared stand-in, so it must only ever
    // delete what is really expired, never another test's live entries.
    const now = Math.floor(Date.now() / 1000);
    const a = await store("What causes earthquakes?", { expiresAt: now - 10 });
    const b = await store("Why is the sky blue?", { expiresAt: now - 10 });
    expect(await sweepAllExpired(index, now)).toBeGreaterThanOrEqual(2);
    expect(await index.namespace(tenantNamespace(a.tenantId)).fetch([a.id])).toEqual([null]);
    expect(await index.namespace(tenantNamespace(b.tenantId)).fetch([b.id])).toEqual([null]);
  });

  it("forget drops one entry, purgeTenant the whole namespace (a missing one is fine)", async () => {
    const { tenantId, id } = await store("What is machine learning?");
    const other = await store("What is deep learning?", { tenantId });
    await forget(index, tenantId, id);
    expect(await index.namespace(tenantNamespace(tenantId)).fetch([id, other.id])).toEqual([
      null,
      expect.objectContaining({ id: other.id }),
    ]);
    await purgeTenant(index, tenantId);
    expect(await find(tenantId, "What is deep learning?", { threshold: -1 })).toBeNull();
    await expect(purgeTenant(index, tenantId)).resolves.toBeUndefined();
  });

  it("misses below the threshold", async () => {
    const { tenantId } = await store("How do I bake sourdough bread?");
    expect(await find(tenantId, "How do I bake banana bread?")).toBeNull();
  });

  it("rejects a scope hash or time that could change the filter", async () => {
    const opts = { tenantId: "t", text: "x", now: NOW, threshold: 0.5 };
    await expect(lookup(index, { ...opts, scopeHash: "x' OR scope != '" })).rejects.toThrow(TypeError);
    await expect(lookup(index, { ...opts, scopeHash: "a".repeat(64), now: Number.NaN })).rejects.toThrow(TypeError);
  });
});

describe("semantic store with a client-side embedder", () => {
  const calls: string[] = [];
  const local: Embedder = {
    name: EMBEDDER_NAME,
    embed: async (text) => {
      calls.push(text);
      return embed(text);
    },
  };

  it("stores vectors with the text in metadata, and caches embeddings per tenant", async () => {
    const embedder = cachedEmbedder(local);
    const { tenantId, id } = await store("Give me a recipe for pancakes.", { embedder });
    const hit = await find(tenantId, "Please give me a pancake recipe.", { embedder });
    expect(hit).toMatchObject({ id, text: "Give me a recipe for pancakes." });
    calls.length = 0;
    await find(tenantId, "Please give me a pancake recipe.", { embedder });
    expect(calls).toEqual([]);
    await embedder.embed("Please give me a pancake recipe.", { tenantId: "someone-else" });
    expect(calls).toEqual(["Please give me a pancake recipe."]);
  });
});

describe("pointers", () => {
  it("inline when small, the Redis key otherwise", () => {
    expect(parsePointer(toPointer("cache:t:h", "c2VhbGVk"))).toEqual({ kind: "inline", sealed: "c2VhbGVk" });
    expect(parsePointer(toPointer("cache:t:h", "x".repeat(INLINE_POINTER_MAX_CHARS + 1)))).toEqual({ kind: "redis", key: "cache:t:h" });
    expect(parsePointer("elsewhere:1")).toBeNull();
  });
});
