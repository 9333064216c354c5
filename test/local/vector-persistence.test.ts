import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVectorRest } from "../../local/vector/server";

const TOKEN = "persist-token";

describe("vectorRest persistence", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "edgeway-vector-persist-"));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it("keeps vectors, metadata, data and namespaces across a restart", async () => {
    const first = await startVectorRest({ token: TOKEN, dataDir, port: 0 });
    const a = new Index({ url: first.url, token: TOKEN });
    await a.upsert([
      { id: "q1", data: "How do I reset my password?", metadata: { tenant: "t1", tags: ["auth"] } },
      { id: "q2", data: "Explain quantum computing simply", metadata: { tenant: "t2" } },
    ]);
    await a.upsert({ id: "q1", data: "Bonjour tout le monde" }, { namespace: "fr" });
    await a.update({ id: "q2", metadata: { tier: "pro" }, metadataUpdateMode: "PATCH" });
    await a.delete("q1", { namespace: "fr" });
    await a.upsert({ id: "q3", data: "Salut" }, { namespace: "fr" });
    const before = await a.fetch(["q1", "q2"], { includeMetadata: true, includeVectors: true, includeData: true });
    await first.close();

    const files = await readdir(dataDir);
    expect(files).toEqual(["vector-index.json"]);

    const second = await startVectorRest({ token: TOKEN, dataDir, port: 0 });
    const b = new Index({ url: second.url, token: TOKEN });
    expect(await b.fetch(["q1", "q2"], { includeMetadata: true, includeVectors: true, includeData: true })).toEqual(before);
    expect((await b.fetch(["q2"], { includeMetadata: true }))[0]?.metadata).toEqual({ tenant: "t2", tier: "pro" });
    expect(await b.listNamespaces()).toEqual(["", "fr"]);
    expect(await b.namespace("fr").fetch(["q1", "q3"], { includeData: true })).toEqual([null, { id: "q3", data: "Salut" }]);
    const hit = await b.query({ data: "how can I reset my password", topK: 1, filter: "tags CONTAINS 'auth'" });
    expect(hit[0]?.id).toBe("q1");
    const info = await b.info();
    expect(info.vectorCount).toBe(3);
    expect(info.namespaces).toEqual({ "": { vectorCount: 2, pendingVectorCount: 0 }, fr: { vectorCount: 1, pendingVectorCount: 0 } });
    await second.close();
  });

  it("writes changes to disk shortly after they happen, without waiting for close", async () => {
    const server = await startVectorRest({ token: TOKEN, dataDir, port: 0 });
    const index = new Index({ url: server.url, token: TOKEN });
    await index.reset({ all: true });
    await index.upsert({ id: "live", data: "written by the debounce" });
    await new Promise((r) => setTimeout(r, 400));
    const snap = JSON.parse(await readFile(join(dataDir, "vector-index.json"), "utf8"));
    expect(snap.namespaces[""].map((r: { id: string }) => r.id)).toEqual(["live"]);
    expect(await readdir(dataDir)).toEqual(["vector-index.json"]);
    await server.close();
    await server.close();
  });

  it("refuses to start on a data dir of another dimension", async () => {
    await expect(startVectorRest({ token: TOKEN, dataDir, dimension: 3 })).rejects.toThrow(/dimension 384, not 3/);
  });
});
