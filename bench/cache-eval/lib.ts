import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { startVectorRest } from "../../local/vector/server";
import { exactHash, semanticScope } from "../../shared/cache/keys";
import type { Embedder } from "../../shared/cache/semantic/embedding";
import {
  pickCandidate,
  purgeTenant,
  queryCandidates,
  remember,
  type SemanticCandidate,
  type VectorIndex,
} from "../../shared/cache/semantic/store";
import type { ChatCompletionRequest } from "../../shared/openai/chat-request";

/** One side of a labelled pair: the last user turn plus what surrounds it. */
export type Side = {
  text: string;
  system?: string;
  history?: { role: "user" | "assistant"; content: string }[];
  /** Tenant label within the pair. @default "t1" */
  tenant?: string;
  /** Request fields over the defaults `{ model: "mock-small", temperature: 0 }`. */
  params?: Record<string, unknown>;
};

export type Pair = { id: string; category: string; expect: "hit" | "miss"; split: "tune" | "test"; a: Side; b: Side };

export const PAIRS_PATH = new URL("./pairs.jsonl", import.meta.url);

export async function loadPairs(path: string | URL = PAIRS_PATH): Promise<Pair[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Pair);
}

export function toRequest(side: Side): ChatCompletionRequest {
  const messages: ChatCompletionRequest["messages"] = [
    ...(side.system ? [{ role: "system" as const, content: side.system }] : []),
    ...(side.history ?? []),
    { role: "user", content: side.text },
  ];
  return { model: "mock-small", temperature: 0, ...side.params, messages } as ChatCompletionRequest;
}

/** What the vector store returned for the second request of a pair (thresholds are applied later). */
export type Observation = { pair: Pair; skipped?: "a" | "b"; queryText: string; candidates: SemanticCandidate[] };

/**
 * Runs every pair through the real path: `semanticScope` on both sides, `remember` the first in its
 * tenant's namespace, `queryCandidates` for the second in its own. Each pair gets fresh tenant ids,
 * so pairs never see each other's vectors.
 */
export async function observe(
  index: VectorIndex,
  pairs: Pair[],
  opts: { concurrency?: number; embedder?: Embedder } = {},
): Promise<Observation[]> {
  const { embedder } = opts;
  const runId = randomBytes(4).toString("hex");
  const now = Math.floor(Date.now() / 1000);
  const tenants = new Set<string>();
  const one = async (pair: Pair): Promise<Observation> => {
    const tenantOf = (s: Side) => `eval-${runId}-${pair.id}-${s.tenant ?? "t1"}`;
    const [ta, tb] = [tenantOf(pair.a), tenantOf(pair.b)];
    tenants.add(ta).add(tb);
    const [ra, rb] = [toRequest(pair.a), toRequest(pair.b)];
    const [sa, sb] = await Promise.all([semanticScope(ta, null, ra), semanticScope(tb, null, rb)]);
    if (!sa) return { pair, skipped: "a", queryText: pair.b.text, candidates: [] };
    await remember(index, {
      tenantId: ta,
      id: await exactHash(ta, null, ra),
      text: sa.lastUserText,
      scopeHash: sa.scopeHash,
      expiresAt: now + 3600,
      model: ra.model,
      pointer: "redis:eval",
      embedder,
    });
    if (!sb) return { pair, skipped: "b", queryText: pair.b.text, candidates: [] };
    const candidates = await queryCandidates(index, { tenantId: tb, scopeHash: sb.scopeHash, text: sb.lastUserText, now, embedder });
    return { pair, queryText: sb.lastUserText, candidates };
  };
  const out: Observation[] = [];
  const width = opts.concurrency ?? 8;
  for (let i = 0; i < pairs.length; i += width) out.push(...(await Promise.all(pairs.slice(i, i + width).map(one))));
  await Promise.all([...tenants].map((t) => purgeTenant(index, t)));
  return out;
}

export type CategoryScore = { category: string; expect: "hit" | "miss"; n: number; hits: number };
export type Outcome = {
  id: string;
  category: string;
  expect: "hit" | "miss";
  hit: boolean;
  /** Whether the best candidate alone would have been served, without verification. */
  unverifiedHit: boolean;
  /** Raw cosine of the best in-scope candidate, if any. */
  cosine?: number;
  /** Why it missed: `skipped (a|b)`, `no candidate` (scope or tenant differs), `threshold`, or a verification reason. */
  reason?: string;
};
export type Report = {
  threshold: number;
  pairs: number;
  shouldHit: { n: number; hits: number; rate: number };
  mustNotHit: { n: number; falseHits: number; rate: number; falseHitsWithoutVerification: number };
  /** What stopped the must-not-hit pairs: reason → count. */
  stoppedBy: Record<string, number>;
  categories: CategoryScore[];
  outcomes: Outcome[];
};

/** Applies one raw-cosine threshold (and verification) to the observations. Pure. */
export function score(observations: Observation[], threshold: number): Report {
  const outcomes: Outcome[] = observations.map(({ pair, skipped, queryText, candidates }) => {
    const base = { id: pair.id, category: pair.category, expect: pair.expect, cosine: candidates[0]?.cosine };
    if (skipped) return { ...base, hit: false, unverifiedHit: false, reason: `skipped (${skipped})` };
    const { hit, rejected } = pickCandidate(candidates, { text: queryText, threshold });
    const unverifiedHit = candidates[0] !== undefined && candidates[0].cosine >= threshold - 1e-9;
    return { ...base, hit: hit !== null, unverifiedHit, reason: hit ? undefined : (rejected[0]?.reason ?? "no candidate") };
  });
  const categories = new Map<string, CategoryScore>();
  for (const o of outcomes) {
    const c = categories.get(o.category) ?? { category: o.category, expect: o.expect, n: 0, hits: 0 };
    c.n++;
    if (o.hit) c.hits++;
    categories.set(o.category, c);
  }
  const should = outcomes.filter((o) => o.expect === "hit");
  const mustNot = outcomes.filter((o) => o.expect === "miss");
  const hits = should.filter((o) => o.hit).length;
  const falseHits = mustNot.filter((o) => o.hit).length;
  const stoppedBy: Record<string, number> = {};
  for (const o of mustNot) if (!o.hit && o.reason) stoppedBy[o.reason] = (stoppedBy[o.reason] ?? 0) + 1;
  return {
    threshold,
    pairs: outcomes.length,
    shouldHit: { n: should.length, hits, rate: should.length ? hits / should.length : 0 },
    mustNotHit: {
      n: mustNot.length,
      falseHits,
      rate: mustNot.length ? falseHits / mustNot.length : 0,
      falseHitsWithoutVerification: mustNot.filter((o) => o.unverifiedHit).length,
    },
    stoppedBy,
    categories: [...categories.values()],
    outcomes,
  };
}

/** Thresholds the sweep tries: raw cosine 0.30 … 0.99 in steps of 0.01. */
export const SWEEP = Array.from({ length: 70 }, (_, i) => Math.round((0.3 + i * 0.01) * 100) / 100);

/**
 * The threshold with the highest should-hit rate among those with zero false hits; ties go to the
 * highest (most conservative) threshold. Null when no threshold hits anything without a false hit.
 */
export function tune(observations: Observation[], thresholds: number[] = SWEEP): { chosen: Report | null; sweep: Report[] } {
  const sweep = thresholds.map((t) => score(observations, t));
  let chosen: Report | null = null;
  for (const r of sweep) {
    if (r.mustNotHit.falseHits > 0 || r.shouldHit.hits === 0) continue;
    if (!chosen || r.shouldHit.hits >= chosen.shouldHit.hits) chosen = r;
  }
  return { chosen, sweep };
}

/** An index to evaluate against: the given one, or a fresh local Vector stand-in (closed by `close`). */
export async function openIndex(opts: {
  url?: string;
  token?: string;
  dimension?: number;
}): Promise<{ index: Index; close: () => Promise<void> }> {
  if (opts.url) {
    if (!opts.token) throw new Error("--vector-token is required with --vector-url");
    return { index: new Index({ url: opts.url, token: opts.token }), close: async () => {} };
  }
  const dataDir = await mkdtemp(join(tmpdir(), "edgeway-cache-eval-"));
  const token = randomBytes(16).toString("hex");
  const server = await startVectorRest({ token, dataDir, dimension: opts.dimension });
  return {
    index: new Index({ url: server.url, token }),
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The index's embedding model, as `info` declares it (`edgeway-local-hash-v1` for the stand-in). */
export async function embedderOf(index: Index): Promise<string> {
  const info = await index.info();
  return (info as { denseIndex?: { embeddingModel?: string } }).denseIndex?.embeddingModel ?? "unknown";
}

/**
 * A client-side embedder over an OpenAI-compatible `/embeddings` endpoint (a provider's embedding
 * model, or the gateway itself), for evaluating an index without a hosted model.
 */
export function openAIEmbedder(opts: { baseUrl: string; model: string; apiKey?: string }): Embedder {
  return {
    name: opts.model,
    async embed(text) {
      const res = await fetch(`${opts.baseUrl.replace(/\/$/, "")}/embeddings`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
        body: JSON.stringify({ model: opts.model, input: text }),
      });
      if (!res.ok) throw new Error(`embeddings: HTTP ${res.status}`);
      const json = (await res.json()) as { data: { embedding: number[] }[] };
      const vector = json.data[0]?.embedding ?? [];
      const norm = Math.hypot(...vector) || 1;
      return vector.map((x) => x / norm);
    },
  };
}
