import { parseArgs } from "node:util";
import { thresholdFor } from "../../shared/cache/semantic/threshold";
import { embedderOf, loadPairs, observe, openAIEmbedder, openIndex, type Report, score, tune } from "./lib";

/**
 * `npx tsx bench/cache-eval/evaluate.ts [--threshold 0.x] [--split tune|test|all] [--tune]
 *   [--vector-url URL --vector-token T] [--embeddings-url URL --embeddings-model M [--embeddings-key K]]
 *   [--verbose] [--json]`
 * Hit rate on should-hit pairs and false-hit rate on must-not-hit pairs, per category, for the index's
 * embedder at a raw-cosine threshold (default: the embedder's default in threshold.ts). Without a URL
 * it starts the local Vector stand-in. `--tune` sweeps thresholds on the tune split and prints the choice.
 * `--embeddings-*` embeds client-side with an OpenAI-compatible embeddings endpoint instead of the
 * index's own model (the stand-in is then started with that model's dimension).
 */
const { values } = parseArgs({
  options: {
    threshold: { type: "string" },
    split: { type: "string", default: "test" },
    tune: { type: "boolean", default: false },
    "vector-url": { type: "string" },
    "vector-token": { type: "string" },
    "embeddings-url": { type: "string" },
    "embeddings-model": { type: "string" },
    "embeddings-key": { type: "string" },
    pairs: { type: "string" },
    verbose: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function print(report: Report, label: string, verbose: boolean): void {
  console.log(`\n${label}: threshold (raw cosine) ${report.threshold}, ${report.pairs} pairs`);
  console.log(`  should hit:    ${report.shouldHit.hits}/${report.shouldHit.n} hit (${pct(report.shouldHit.rate)})`);
  console.log(`  must not hit:  ${report.mustNotHit.falseHits}/${report.mustNotHit.n} false hits (${pct(report.mustNotHit.rate)})`);
  console.log(`  without verification the threshold alone would give ${report.mustNotHit.falseHitsWithoutVerification} false hits`);
  const stopped = Object.entries(report.stoppedBy).map(([why, n]) => `${why} ${n}`);
  console.log(`  must-not-hit pairs stopped by: ${stopped.join(", ")}`);
  for (const c of report.categories) {
    const what = c.expect === "hit" ? "hit" : "false hit";
    console.log(`    ${c.category.padEnd(14)} ${String(c.n).padStart(3)} pairs  ${what} ${c.hits}/${c.n} (${pct(c.n ? c.hits / c.n : 0)})`);
  }
  if (!verbose) return;
  for (const o of report.outcomes) {
    if (o.hit === (o.expect === "hit")) continue;
    console.log(
      `    ✗ ${o.id} expected ${o.expect}, got ${o.hit ? "hit" : "miss"} (top cosine ${o.cosine?.toFixed(3) ?? "-"}, ${o.reason ?? ""})`,
    );
  }
}

async function main(): Promise<void> {
  const split = values.tune ? "tune" : (values.split ?? "test");
  if (!["tune", "test", "all"].includes(split)) throw new Error("--split must be tune, test or all");
  const pairs = (await loadPairs(values.pairs)).filter((p) => split === "all" || p.split === split);
  const client =
    values["embeddings-url"] && values["embeddings-model"]
      ? openAIEmbedder({ baseUrl: values["embeddings-url"], model: values["embeddings-model"], apiKey: values["embeddings-key"] })
      : undefined;
  const dimension = client ? (await client.embed("dimension probe", { tenantId: "eval" })).length : undefined;
  const { index, close } = await openIndex({ url: values["vector-url"], token: values["vector-token"], dimension });
  try {
    const embedder = client?.name ?? (await embedderOf(index));
    const observations = await observe(index, pairs, { embedder: client });
    if (values.tune) {
      const { chosen, sweep } = tune(observations);
      if (values.json) return console.log(JSON.stringify({ embedder, split, chosen, sweep: sweep.map(summary) }, null, 2));
      console.log(`embedder ${embedder}, tune split, ${pairs.length} pairs`);
      for (const r of sweep)
        console.log(`  ${r.threshold.toFixed(2)}  hit ${pct(r.shouldHit.rate).padStart(6)}  false hits ${r.mustNotHit.falseHits}`);
      if (!chosen) throw new Error("no threshold hits anything without a false hit");
      print(chosen, `chosen for ${embedder}`, values.verbose);
      return;
    }
    const threshold = values.threshold ? Number(values.threshold) : thresholdFor(embedder);
    const report = score(observations, threshold);
    if (values.json) return console.log(JSON.stringify({ embedder, split, ...report }, null, 2));
    print(report, `embedder ${embedder}, ${split} split`, values.verbose);
  } finally {
    await close();
  }
}

const summary = (r: Report) => ({ threshold: r.threshold, shouldHit: r.shouldHit, mustNotHit: r.mustNotHit });

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
