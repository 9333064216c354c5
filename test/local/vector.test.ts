import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index, type RangeResult } from "@upstash/vector";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StandIn } from "../../local/stand-in";
import { EMBEDDER_NAME } from "../../local/vector/embedder";
import { startVectorRest } from "../../local/vector/server";

const TOKEN = "test-vector-token";
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "edgeway-vector-"));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function post(
  server: StandIn,
  path: string,
  body: unknown,
  token = TOKEN,
): Promise<{ status: number; json: { result?: unknown; error?: string; status?: number } }> {
  const res = await fetch(`${server.url}/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { result?: unknown; error?: string; status?: number } };
}

describe("vectorRest (COSINE, dimension 3)", () => {
  let server: StandIn;
  let index: Index;

  beforeAll(async () => {
    server = await startVectorRest({ token: TOKEN, dataDir: await tempDir(), port: 0, dimension: 3 });
    index = new Index({ url: server.url, token: TOKEN });
  });
  afterAll(async () => server.close());
  beforeEach(async () => {
    await index.reset({ all: true });
  });

  it("describes itself as a StandIn", () => {
    expect(server.name).toBe("vectorRest");
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.statsUrl).toBe(`${server.url}/__stats`);
  });

  it("scores cosine similarity as (1 + cos) / 2, best first, topK limited", async () => {
    await index.upsert([
      { id: "same", vector: [1, 0, 0] },
      { id: "orthogonal", vector: [0, 1, 0] },
      { id: "opposite", vector: [-1, 0, 0] },
      { id: "diagonal", vector: [1, 1, 0] },
    ]);
    const res = await index.query({ vector: [2, 0, 0], topK: 10 });
    expect(res.map((r) => r.id)).toEqual(["same", "diagonal", "orthogonal", "opposite"]);
    expect(res[0]?.score).toBeCloseTo(1, 12);
    expect(res[1]?.score).toBeCloseTo((1 + Math.SQRT1_2) / 2, 12);
    expect(res[2]?.score).toBeCloseTo(0.5, 12);
    expect(res[3]?.score).toBeCloseTo(0, 12);
    expect(res[0]).toEqual({ id: "same", score: 1 });
    expect(await index.query({ vector: [1, 0, 0], topK: 2 })).toHaveLength(2);
  });

  it("includes vectors, metadata and data only when asked", async () => {
    await index.upsert({ id: 7, vector: [0, 0, 1], metadata: { kind: "x" }, data: "seven" } as never);
    const bare = await index.query({ vector: [0, 0, 1], topK: 1 });
    expect(bare).toEqual([{ id: "7", score: 1 }]);
    const full = await index.query({ vector: [0, 0, 1], topK: 1, includeVectors: true, includeMetadata: true, includeData: true });
    expect(full).toEqual([{ id: "7", score: 1, vector: [0, 0, 1], metadata: { kind: "x" }, data: "seven" }]);
  });

  it("answers batch queries (queryMany) with one list per query", async () => {
    await index.upsert([
      { id: "x", vector: [1, 0, 0] },
      { id: "y", vector: [0, 1, 0] },
    ]);
    const many = await index.queryMany([
      { vector: [1, 0, 0], topK: 1 },
      { vector: [0, 1, 0], topK: 1 },
    ]);
    expect(many.map((rs) => rs.map((r) => r.id))).toEqual([["x"], ["y"]]);
    const single = await index.queryMany([{ vector: [0, 1, 0], topK: 2 }]);
    expect(single.map((rs) => rs.map((r) => r.id))).toEqual([["y", "x"]]);
    const raw = await post(server, "query", [{ vector: [0, 1, 0], topK: 1 }]);
    expect(raw.json).toEqual({ result: [{ id: "y", score: 1 }] });
  });

  it("rejects dimension mismatches with a 400 and a clear error", async () => {
    await expect(index.upsert({ id: "bad", vector: [1, 2] })).rejects.toThrow("Invalid vector dimension: 2, expected: 3");
    await expect(index.query({ vector: [1, 2, 3, 4], topK: 1 })).rejects.toThrow("Invalid vector dimension: 4, expected: 3");
    const raw = await post(server, "upsert", { id: "bad", vector: [1] });
    expect(raw).toEqual({ status: 400, json: { error: "Invalid vector dimension: 1, expected: 3", status: 400 } });
  });

  it("rejects a wrong token, unknown endpoints and data on a vector-only endpoint", async () => {
    expect((await post(server, "info", [], "nope")).status).toBe(401);
    expect((await post(server, "nope", {})).status).toBe(404);
    const dataOnQuery = await post(server, "query", { data: "text", topK: 1 });
    expect(dataOnQuery.status).toBe(400);
    expect(dataOnQuery.json.error).toMatch(/vector is required/);
  });

  it("refuses upsert-data when the index dimension is not the embedder's", async () => {
    await expect(index.upsert({ id: "t", data: "hello there" })).rejects.toThrow(/Embedding data is not supported/);
  });

  it("isolates namespaces: the same id lives independently in each", async () => {
    await index.upsert({ id: "dup", vector: [1, 0, 0], metadata: { ns: "default" } });
    await index.namespace("other").upsert({ id: "dup", vector: [0, 1, 0], metadata: { ns: "other" } });
    const [inDefault] = await index.fetch(["dup"], { includeMetadata: true, includeVectors: true });
    const [inOther] = await index.namespace("other").fetch(["dup"], { includeMetadata: true, includeVectors: true });
    expect(inDefault).toEqual({ id: "dup", vector: [1, 0, 0], metadata: { ns: "default" } });
    expect(inOther).toEqual({ id: "dup", vector: [0, 1, 0], metadata: { ns: "other" } });
    expect(await index.query({ vector: [0, 1, 0], topK: 5 }, { namespace: "other" })).toEqual([{ id: "dup", score: 1 }]);
    expect(await index.namespace("missing").query({ vector: [0, 1, 0], topK: 5 })).toEqual([]);
    expect(await index.listNamespaces()).toEqual(["", "other"]);

    await index.namespace("other").reset();
    expect(await index.fetch(["dup"])).toEqual([{ id: "dup" }]);
    expect(await index.namespace("other").fetch(["dup"])).toEqual([null]);

    expect(await index.deleteNamespace("other")).toBe("Success");
    expect(await index.listNamespaces()).toEqual([""]);
    await expect(index.deleteNamespace("other")).rejects.toThrow(/does not exist/);
    await expect(index.deleteNamespace("")).rejects.toThrow(/default namespace cannot be deleted/);
  });

  it("fetches by ids (missing → null, order kept) and by prefix", async () => {
    await index.upsert([
      { id: "doc-1", vector: [1, 0, 0], metadata: { n: 1 } },
      { id: "doc-2", vector: [0, 1, 0] },
      { id: "other", vector: [0, 0, 1] },
    ]);
    expect(await index.fetch(["doc-2", "nope", "doc-1"], { includeMetadata: true })).toEqual([
      { id: "doc-2" },
      null,
      { id: "doc-1", metadata: { n: 1 } },
    ]);
    const byPrefix = await index.fetch({ prefix: "doc-" });
    expect(byPrefix.map((r) => r?.id)).toEqual(["doc-1", "doc-2"]);
    expect(await index.fetch({ ids: ["other"] }, { includeVectors: true })).toEqual([{ id: "other", vector: [0, 0, 1] }]);
  });

  it("deletes by id, ids, prefix and filter, answering {deleted}", async () => {
    await index.upsert(["a1", "a2", "b1", "b2", "c1", "c2"].map((id, i) => ({ id, vector: [1, i, 0], metadata: { group: id[0], i } })));
    expect(await index.delete("a1")).toEqual({ deleted: 1 });
    expect(await index.delete("a1")).toEqual({ deleted: 0 });
    expect(await index.delete(["a2", "zz"])).toEqual({ deleted: 1 });
    expect(await index.delete({ prefix: "b" })).toEqual({ deleted: 2 });
    expect(await index.delete({ filter: "group = 'c' AND i >= 5" })).toEqual({ deleted: 1 });
    expect((await index.range({ cursor: 0, limit: 10 })).vectors.map((v) => v.id)).toEqual(["c1"]);
    await expect(index.delete({ filter: "group = " })).rejects.toThrow(/Invalid filter/);
  });

  it("pages through range with cursors, prefix and include flags", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `item-${String(i).padStart(2, "0")}`);
    await index.upsert(ids.map((id, i) => ({ id, vector: [i, 1, 0], metadata: { i } })));
    await index.upsert({ id: "zeta", vector: [1, 1, 1] });
    const seen: string[] = [];
    let cursor: string | number = 0;
    let pages = 0;
    do {
      const page: RangeResult = await index.range({ cursor, limit: 5, prefix: "item-", includeMetadata: true });
      seen.push(...page.vectors.map((v) => v.id));
      expect(page.vectors.every((v) => v.metadata !== undefined && v.vector === undefined)).toBe(true);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== "");
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const first = await index.range({ cursor: 0, limit: 5, includeVectors: true });
    expect(first.nextCursor).toBe("5");
    expect(first.vectors[0]).toEqual({ id: "item-00", vector: [0, 1, 0] });
    const last = await index.range({ cursor: "10", limit: 5 });
    expect(last).toEqual({ nextCursor: "", vectors: [{ id: "item-10" }, { id: "item-11" }, { id: "zeta" }] });
  });

  it("updates metadata with OVERWRITE (default) and PATCH (JSON merge patch), and vectors", async () => {
    await index.upsert({ id: "u", vector: [1, 0, 0], metadata: { a: 1, nested: { x: 1, y: 2 }, gone: true } });
    expect(await index.update({ id: "u", metadata: { nested: { y: 3, z: 4 }, gone: null, b: 2 }, metadataUpdateMode: "PATCH" })).toEqual({
      updated: 1,
    });
    expect((await index.fetch(["u"], { includeMetadata: true }))[0]?.metadata).toEqual({ a: 1, nested: { x: 1, y: 3, z: 4 }, b: 2 });
    await index.update({ id: "u", metadata: { only: "this" }, metadataUpdateMode: "OVERWRITE" });
    expect((await index.fetch(["u"], { includeMetadata: true }))[0]?.metadata).toEqual({ only: "this" });
    await index.update({ id: "u", metadata: { replaced: true } });
    expect((await index.fetch(["u"], { includeMetadata: true }))[0]?.metadata).toEqual({ replaced: true });
    await index.update({ id: "u", vector: [0, 1, 0] });
    expect(await index.fetch(["u"], { includeVectors: true, includeMetadata: true })).toEqual([
      { id: "u", vector: [0, 1, 0], metadata: { replaced: true } },
    ]);
    expect(await index.update({ id: "missing", metadata: { a: 1 } })).toEqual({ updated: 0 });
    await expect(index.update({ id: "u", vector: [1, 2] })).rejects.toThrow(/Invalid vector dimension/);
  });

  it("reports info: counts per namespace, dimension, similarity", async () => {
    await index.upsert([
      { id: "1", vector: [1, 0, 0] },
      { id: "2", vector: [0, 1, 0] },
    ]);
    await index.upsert({ id: "1", vector: [0, 0, 1] }, { namespace: "ns" });
    const info = await index.info();
    expect(info).toMatchObject({
      vectorCount: 3,
      pendingVectorCount: 0,
      dimension: 3,
      similarityFunction: "COSINE",
      denseIndex: { dimension: 3, similarityFunction: "COSINE" },
      namespaces: { "": { vectorCount: 2, pendingVectorCount: 0 }, ns: { vectorCount: 1, pendingVectorCount: 0 } },
    });
    expect(info.indexSize).toBeGreaterThan(0);
    expect(info.denseIndex?.embeddingModel).toBeUndefined();
  });

  it("resets the default namespace, one namespace, or all", async () => {
    await index.upsert({ id: "d", vector: [1, 0, 0] });
    await index.upsert({ id: "n", vector: [1, 0, 0] }, { namespace: "keep" });
    expect(await index.reset()).toBe("Success");
    expect(await index.fetch(["d"])).toEqual([null]);
    expect(await index.namespace("keep").fetch(["n"])).toEqual([{ id: "n" }]);
    expect(await index.reset({ namespace: "keep" })).toBe("Success");
    expect((await index.info()).namespaces.keep?.vectorCount).toBe(0);
    await index.upsert({ id: "n", vector: [1, 0, 0] }, { namespace: "keep" });
    expect(await index.reset({ all: true })).toBe("Success");
    expect(await index.listNamespaces()).toEqual([""]);
    expect((await index.info()).vectorCount).toBe(0);
  });

  it("pages a resumable query and ends it", async () => {
    await index.upsert(Array.from({ length: 5 }, (_, i) => ({ id: `r${i}`, vector: [1, i, 0], metadata: { i } })));
    const { result, fetchNext, stop } = await index.resumableQuery({ vector: [1, 0, 0], topK: 2, maxIdle: 60, includeMetadata: true });
    expect(result.map((r) => r.id)).toEqual(["r0", "r1"]);
    expect(result[0]?.metadata).toEqual({ i: 0 });
    expect((await fetchNext(2)).map((r) => r.id)).toEqual(["r2", "r3"]);
    expect((await fetchNext(5)).map((r) => r.id)).toEqual(["r4"]);
    expect(await fetchNext(1)).toEqual([]);
    expect(await stop()).toBe("Success");
    const gone = await post(server, "resumable-query-next", { uuid: "not-a-session", additionalK: 1 });
    expect(gone.status).toBe(404);
  });

  it("applies a filter to resumable queries", async () => {
    await index.upsert(Array.from({ length: 6 }, (_, i) => ({ id: `f${i}`, vector: [1, i, 0], metadata: { even: i % 2 === 0 } })));
    const { result, fetchNext, stop } = await index.resumableQuery({ vector: [1, 0, 0], topK: 1, maxIdle: 60, filter: "even = true" });
    expect(result.map((r) => r.id)).toEqual(["f0"]);
    expect((await fetchNext(5)).map((r) => r.id)).toEqual(["f2", "f4"]);
    await stop();
  });
});

describe("vectorRest (EUCLIDEAN)", () => {
  let server: StandIn;
  let index: Index;

  beforeAll(async () => {
    server = await startVectorRest({ token: TOKEN, dataDir: await tempDir(), dimension: 2, similarity: "EUCLIDEAN" });
    index = new Index({ url: server.url, token: TOKEN });
  });
  afterAll(async () => server.close());

  it("scores 1 / (1 + d²)", async () => {
    await index.upsert([
      { id: "origin", vector: [0, 0] },
      { id: "unit", vector: [1, 0] },
      { id: "diag", vector: [1, 1] },
      { id: "far", vector: [3, 4] },
    ]);
    const res = await index.query({ vector: [0, 0], topK: 4 });
    expect(res.map((r) => [r.id, r.score])).toEqual([
      ["origin", 1],
      ["unit", 0.5],
      ["diag", 1 / 3],
      ["far", 1 / 26],
    ]);
    expect((await index.info()).similarityFunction).toBe("EUCLIDEAN");
  });
});

describe("vectorRest (DOT_PRODUCT)", () => {
  let server: StandIn;
  let index: Index;

  beforeAll(async () => {
    server = await startVectorRest({ token: TOKEN, dataDir: await tempDir(), dimension: 2, similarity: "DOT_PRODUCT" });
    index = new Index({ url: server.url, token: TOKEN });
  });
  afterAll(async () => server.close());

  it("scores (1 + dot) / 2", async () => {
    await index.upsert([
      { id: "same", vector: [0.6, 0.8] },
      { id: "swapped", vector: [0.8, 0.6] },
      { id: "axis", vector: [0, 1] },
      { id: "opposite", vector: [-0.6, -0.8] },
    ]);
    const res = await index.query({ vector: [0.6, 0.8], topK: 4 });
    expect(res.map((r) => r.id)).toEqual(["same", "swapped", "axis", "opposite"]);
    expect(res[0]?.score).toBeCloseTo(1, 12);
    expect(res[1]?.score).toBeCloseTo(0.98, 12);
    expect(res[2]?.score).toBeCloseTo(0.9, 12);
    expect(res[3]?.score).toBeCloseTo(0, 12);
    expect((await index.info()).similarityFunction).toBe("DOT_PRODUCT");
  });
});

describe("vectorRest with the local embedder (dimension 384)", () => {
  let server: StandIn;
  let index: Index;

  beforeAll(async () => {
    server = await startVectorRest({ token: TOKEN, dataDir: await tempDir() });
    index = new Index({ url: server.url, token: TOKEN });
  });
  afterAll(async () => server.close());

  it("declares the embedder in info", async () => {
    const info = await index.info();
    expect(info.dimension).toBe(384);
    expect(info.denseIndex).toEqual({ dimension: 384, similarityFunction: "COSINE", embeddingModel: EMBEDDER_NAME });
  });

  it("upserts and queries text: identical 1.0, paraphrase above unrelated and negated", async () => {
    await index.upsert([
      { id: "reset", data: "How do I reset my password?", metadata: { topic: "account" } },
      { id: "bread", data: "Best recipe for baking sourdough bread at home" },
      { id: "negated", data: "I do not want to reset my password" },
    ]);
    const exact = await index.query({ data: "How do I reset my password?", topK: 1, includeData: true, includeMetadata: true });
    expect(exact[0]).toMatchObject({ id: "reset", data: "How do I reset my password?", metadata: { topic: "account" } });
    expect(exact[0]?.score).toBeCloseTo(1, 9);

    const res = await index.query({ data: "how can I reset my password", topK: 3 });
    const score = Object.fromEntries(res.map((r) => [r.id, r.score]));
    expect(res[0]?.id).toBe("reset");
    expect(score.reset).toBeGreaterThan(0.95);
    expect(score.reset).toBeGreaterThan((score.negated as number) + 0.1);
    expect(score.negated).toBeGreaterThan(score.bread as number);
    expect(score.bread).toBeLessThan(0.6);
  });

  it("keeps data alongside a plain vector upsert, and re-embeds on data update", async () => {
    const vector = Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0));
    await index.upsert({ id: "v", vector, data: "attached text" } as never);
    expect(await index.fetch(["v"], { includeData: true })).toEqual([{ id: "v", data: "attached text" }]);
    await index.update({ id: "v", data: "Write a poem about the ocean" });
    const res = await index.query({ data: "Compose a poem about the sea", topK: 1, includeData: true });
    expect(res[0]).toMatchObject({ id: "v", data: "Write a poem about the ocean" });
    expect(res[0]?.score).toBeGreaterThan(0.9);
  });

  it("runs batch text queries through query-data", async () => {
    await index.upsert({ id: "fr", data: "What is the capital of France?" }, { namespace: "geo" });
    const many = await index.queryMany(
      [
        { data: "capital city of France", topK: 1 },
        { data: "France capital", topK: 1 },
      ],
      { namespace: "geo" },
    );
    expect(many.map((rs) => rs[0]?.id)).toEqual(["fr", "fr"]);
  });

  it("counts stats by exact amounts; DELETE /__stats resets", async () => {
    await fetch(server.statsUrl, { method: "DELETE" });
    const vector = Array.from({ length: 384 }, (_, i) => (i === 1 ? 1 : 0));
    await index.upsert([
      { id: "s1", vector },
      { id: "s2", vector },
      { id: "s3", vector },
    ]);
    await index.upsert([
      { id: "t1", data: "first text" },
      { id: "t2", data: "second text" },
    ]);
    await index.queryMany([
      { vector, topK: 1 },
      { vector, topK: 1 },
    ]);
    await index.query({ data: "first text", topK: 1 });
    await index.fetch(["s1"]);
    await index.range({ cursor: 0, limit: 2 });
    await index.delete(["s1", "s2", "missing"]);
    await expect(index.query({ vector: [1], topK: 1 })).rejects.toThrow();
    await index.info();
    const res = await fetch(server.statsUrl);
    expect(await res.json()).toEqual({ requests: 9, queries: 3, upserts: 5, fetches: 2, deletes: 2, embeddings: 3, errors: 1 });
    expect(server.stats()).toEqual({ requests: 9, queries: 3, upserts: 5, fetches: 2, deletes: 2, embeddings: 3, errors: 1 });
    await fetch(server.statsUrl, { method: "DELETE" });
    expect(server.stats()).toEqual({ requests: 0, queries: 0, upserts: 0, fetches: 0, deletes: 0, embeddings: 0, errors: 0 });
    await index.info();
    server.resetStats();
    expect(server.stats().requests).toBe(0);
  });
});
