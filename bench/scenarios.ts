/**
 * What the bench measures: targets, request bodies and the scenario matrix (pure), plus the tenant
 * settings of the two Edgeway configurations.
 */
import { choice, UNIQUE } from "./load";

export type TargetId =
  | "direct"
  | "floor"
  | "io-floor"
  | "stack-floor"
  | "edgeway"
  | "edgeway-proxy"
  | "edgeway-semantic"
  | "portkey"
  | "baseline"
  | "baseline-proxy";
export type Mode = "json" | "stream";
export type CacheCase = "miss" | "exact-hit" | "semantic-hit";

export type Phase = { target: TargetId; mode: Mode; delayMs: number; concurrency: number; cache: CacheCase };

export const TARGET_LABELS: Record<TargetId, string> = {
  direct: "direct to upstream",
  floor: "floor (pass-through Worker, raw workerd)",
  "io-floor": "I/O floor (pass-through + a Redis REST call before it)",
  "stack-floor": "stack floor (Hono, hashes, one Upstash script call, both bodies parsed)",
  edgeway: "Edgeway, full hot path",
  "edgeway-proxy": "Edgeway, pure proxy",
  "edgeway-semantic": "Edgeway, full hot path + semantic cache",
  portkey: "Portkey gateway (npm, Node)",
  baseline: "Edgeway at BENCH_BASELINE, full hot path",
  "baseline-proxy": "Edgeway at BENCH_BASELINE, pure proxy",
};

/**
 * Tenant settings (`tenants.settings`, see shared/config/tenant.ts and shared/cache/settings.ts) of
 * the full-hot-path tenant: the hot path issue #8 names (auth, tenant and end-user RPM/TPM, a
 * monthly budget, the exact cache for every request, metering), with limits far above what the
 * bench sends, so they are evaluated and never bite. The semantic cache is opt-in per tenant and
 * has a tenant of its own (below).
 */
export const FULL_SETTINGS = {
  limits: { rpm: 1_000_000_000, tpm: 1_000_000_000 },
  budget: { monthlyUsd: 1_000_000_000 },
  traffic: { userLimits: { rpm: 1_000_000_000, tpm: 1_000_000_000 } },
  cache: { mode: "all", ttlSeconds: 3600, semantic: { enabled: false } },
};
/** The full hot path plus the semantic cache (one Vector query before the first byte): the semantic-hit scenario's tenant. */
export const SEMANTIC_SETTINGS = { ...FULL_SETTINGS, cache: { ...FULL_SETTINGS.cache, semantic: { enabled: true } } };
/** `api_keys.limits` of the full-hot-path key: key RPM/TPM and an in-flight cap, likewise out of reach. */
export const FULL_KEY_LIMITS = { rpm: 1_000_000_000, tpm: 1_000_000_000, maxInFlight: 1_000_000 };
/** Headers of full-hot-path requests: an end user, so the per-user limits apply. */
export const FULL_HEADERS = { "x-edgeway-user": "bench-user" };

/** The pure-proxy tenant: no limits, no budget, no key limits, caching off. */
export const PROXY_SETTINGS = { cache: { mode: "off", semantic: { enabled: false } } };

/** The phase whose numbers go in the summary line: full hot path, cache miss, non-streaming, no upstream delay. */
export const HEADLINE = { target: "edgeway", mode: "json", delayMs: 0, cache: "miss" } as const;
/** Concurrency of the throughput and CPU headline. */
export const HEADLINE_CONCURRENCY = 32;

export type MatrixOptions = { quick: boolean; peers: TargetId[] };

/**
 * The phases to run, grouped by target and mode (one warm-up each). The peers come last: on a
 * slow machine the time budget runs out there rather than in Edgeway's cache scenarios, and the
 * interleaved rounds measure a peer's headline throughput anyway.
 */
export function matrix({ quick, peers }: MatrixOptions): Phase[] {
  const modes: Mode[] = ["json", "stream"];
  const delays = quick ? [0] : [0, 20];
  const concurrencies = quick ? [1, 32] : [1, 32, 128];
  const misses = (targets: TargetId[]) =>
    targets.flatMap((target) =>
      modes.flatMap((mode) =>
        delays.flatMap((delayMs) => concurrencies.map((concurrency): Phase => ({ target, mode, delayMs, concurrency, cache: "miss" }))),
      ),
    );
  const hits = (["exact-hit", "semantic-hit"] as const).flatMap((cache) =>
    concurrencies.map(
      (concurrency): Phase => ({
        target: cache === "semantic-hit" ? "edgeway-semantic" : "edgeway",
        mode: "json",
        delayMs: 20,
        concurrency,
        cache,
      }),
    ),
  );
  return [...misses(["direct", "floor", "io-floor", "stack-floor", "edgeway", "edgeway-proxy"]), ...hits, ...misses(peers)];
}

export const phaseId = (p: Phase) => `${p.target}/${p.mode}/d${p.delayMs}/c${p.concurrency}${p.cache === "miss" ? "" : `/${p.cache}`}`;

/**
 * Near duplicates for the semantic cache: one question, with greetings, fillers and punctuation
 * that differ (12,288 variants) but no fact the cache's verification compares (numbers, names,
 * negations, quoted text, code), all lowercase, in words the local embedder treats as stopwords.
 */
const SEMANTIC_PROMPT = [
  choice(["", "please ", "kindly ", "hi, ", "hello, ", "hey, ", "thanks! ", "could you "]),
  "summarise ",
  choice(["the ", "all the ", "some of the ", ""]),
  "main differences between glaciers and ice sheets",
  choice([", ", " and ", "; ", " - "]),
  "how each forms, where they are found and how fast they move",
  choice(["", " for me", " for us", " to me"]),
  choice(["", " if you can", " if you could", " if you would"]),
  choice(["?", ".", "!", " please.", " thanks.", " thank you."]),
].join("");

/**
 * The request body of a phase. Cache misses carry UNIQUE (an id and random words: no exact or
 * semantic match with any other request); exact hits repeat one body; semantic hits draw one of the
 * near duplicates above (rarely an exact repeat).
 */
export function requestBody(p: Pick<Phase, "mode" | "cache">, model: string): string {
  const content =
    p.cache === "exact-hit"
      ? "What is the tallest mountain in Europe, and how high is it?"
      : p.cache === "semantic-hit"
        ? SEMANTIC_PROMPT
        : `Question ${UNIQUE}: answer in one line.`;
  return `{"model":${JSON.stringify(model)},"messages":[{"role":"user","content":${JSON.stringify(content)}}],"stream":${p.mode === "stream"}}`;
}

/** The `x-edgeway-cache` value: `hit`, `semantic-hit`, `miss`, `bypass`, or "absent". */
export const cacheStatus = (headers: Record<string, string | string[] | undefined>) => String(headers["x-edgeway-cache"] ?? "absent");

/** Whether the response is a hit of this kind: any hit for exact, a semantic one for semantic. */
export const isCacheHit = (headers: Record<string, string | string[] | undefined>, kind: CacheCase = "exact-hit") =>
  kind === "semantic-hit" ? /semantic/i.test(cacheStatus(headers)) && /hit/i.test(cacheStatus(headers)) : /hit/i.test(cacheStatus(headers));

/** A complete stream ends with `[DONE]`; a JSON answer has choices. */
export const looksComplete = (mode: Mode, body: string) => (mode === "stream" ? body.includes("data: [DONE]") : body.includes('"choices"'));
